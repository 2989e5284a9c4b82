package dev.odin.home;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Draws {@link StatusReport}'s report as the management port's home page: one self-contained
 * HTML document (no scripts, no external assets; it reloads itself every
 * {@value #REFRESH_SECONDS} s), a single column on a phone. Every value is HTML-escaped: service
 * and sender names, reasons and error messages can come from clients.
 */
final class HomePage {

    static final int REFRESH_SECONDS = 30;

    private HomePage() {
    }

    private static final String STYLE = """
            :root{color-scheme:light dark;--fg:#1f1f1f;--bg:#faf9f5;--card:#fff;--line:#e4e1d8;--dim:#6b6960;\
            --ok:#2e7d32;--warn:#b26a00;--bad:#c62828;--accent:#d97757}
            @media (prefers-color-scheme:dark){:root{--fg:#ecebe6;--bg:#1c1b19;--card:#262522;--line:#3a3834;\
            --dim:#a39f94}}
            *{box-sizing:border-box}
            body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);\
            background:var(--bg)}
            main{max-width:1100px;margin:0 auto;padding:16px;display:grid;grid-template-columns:1fr 1fr;gap:16px}
            header,nav,.wide{grid-column:1/-1}
            header h1{margin:0;font-size:22px}header h1 span{color:var(--accent)}
            header p{margin:4px 0 0;color:var(--dim)}
            nav{display:flex;flex-wrap:wrap;gap:8px}
            nav a{padding:6px 12px;border:1px solid var(--line);border-radius:16px;background:var(--card);\
            color:inherit;text-decoration:none}
            section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;\
            min-width:0}
            h2{margin:0 0 8px;font-size:16px}
            table{width:100%;border-collapse:collapse;font-size:14px}
            th,td{text-align:left;padding:5px 6px;border-top:1px solid var(--line);vertical-align:top;\
            overflow-wrap:break-word;word-break:break-word}
            th{font-weight:600;color:var(--dim);border-top:0;word-break:normal}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .s{font-weight:600;white-space:nowrap}.UP,.idle,.sending{color:var(--ok)}\
            .DEGRADED,.retrying,.UNKNOWN{color:var(--warn)}.DOWN,.OUT_OF_SERVICE{color:var(--bad)}\
            .ABSENT{color:var(--dim)}
            .dim{color:var(--dim)}tr.err td{border-top:0;padding-top:0;color:var(--warn)}.small{font-size:13px}
            ul{margin:0;padding-left:18px}li{margin:4px 0;overflow-wrap:anywhere}
            .proto{display:block;color:var(--dim);font-size:12px}
            @media (max-width:600px){main{grid-template-columns:1fr;padding:10px;gap:10px}\
            th.opt,td.opt{display:none}}
            """;

    static String render(Map<String, Object> r) {
        Instant now = Instant.parse((String) r.get("now"));
        StringBuilder h = new StringBuilder(16 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<title>ODIN</title><style>").append(STYLE).append("</style></head><body><main>\n");
        long uptime = ((Number) r.get("uptimeSeconds")).longValue();
        h.append("<header><h1><span>ODIN</span> observability gateway</h1><p id=\"about\">version ")
                .append(esc(r.get("version"))).append(" · up ").append(duration(uptime)).append(" · ")
                .append(esc(String.valueOf(r.get("now")).replaceFirst("\\.\\d+Z$", "Z"))).append("</p></header>\n");
        h.append("<nav>");
        @SuppressWarnings("unchecked")
        Map<String, Object> links = (Map<String, Object>) r.get("links");
        link(h, links, "usage", "Usage");
        link(h, links, "health", "Health");
        link(h, links, "ready", "Ready");
        link(h, links, "metrics", "Metrics");
        link(h, links, "usageApi", "Usage API");
        link(h, links, "status", "Status JSON");
        link(h, links, "docs", "Docs");
        h.append("</nav>\n");

        long window = ((Number) r.get("recentWindowSeconds")).longValue();
        String recent = "last " + duration(window);
        h.append("<section class=\"wide\" id=\"receiving\"><h2>Receiving</h2>");
        List<String> idle = new java.util.ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (Map<String, Object> row : rows(r, "receiving")) {
            if (count(row.get("requests")) == 0 && count(row.get("items")) == 0 && count(row.get("refused")) == 0) {
                idle.add(row.get("receiver") + " (" + row.get("protocol") + ")");
                continue; // nothing since the start: named below the table, not a row of zeros
            }
            table.append("<tr><td>").append(esc(row.get("receiver"))).append("<span class=\"proto\">")
                    .append(esc(row.get("protocol"))).append("</span></td><td class=\"n\">")
                    .append(both(row.get("requestsRecent"), row.get("requests"))).append("</td><td class=\"n\">")
                    .append(both(row.get("itemsRecent"), row.get("items")));
            if (row.get("itemsAre") != null && row.get("items") != null) {
                table.append("<span class=\"proto\">").append(esc(row.get("itemsAre"))).append("</span>");
            }
            table.append("</td><td class=\"n opt\">")
                    .append(row.containsKey("refused") ? esc(row.get("refused")) : "")
                    .append("</td><td>").append(ago(row.get("lastReceived"), now)).append("</td></tr>\n");
        }
        if (table.isEmpty()) {
            h.append("<p>Nothing received since the start.</p>");
        } else {
            h.append("<p class=\"dim small\">Counts in the ").append(esc(recent))
                    .append(" / since the start.</p><table><tr><th>Receiver</th><th class=\"n\">Requests</th>")
                    .append("<th class=\"n\">Items</th><th class=\"n opt\">Refused</th><th>Last received</th></tr>\n")
                    .append(table).append("</table>");
        }
        if (!idle.isEmpty()) {
            h.append("<p class=\"dim small\" id=\"idle\">Listening, nothing yet: ").append(esc(String.join(", ", idle)))
                    .append("</p>");
        }
        h.append("</section>\n");

        h.append("<section class=\"wide\" id=\"sending\"><h2>Sending</h2>");
        List<Map<String, Object>> sending = rows(r, "sending");
        if (sending.isEmpty()) {
            h.append("<p class=\"dim\">No queued sender is configured: events go to the local files.</p>");
        } else {
            h.append("<table><tr><th>Sender</th><th>State</th><th class=\"n\">Backlog</th>")
                    .append("<th class=\"n opt\">Sent</th><th>Last success</th></tr>\n");
            for (Map<String, Object> row : sending) {
                h.append("<tr><td>").append(esc(row.get("sender"))).append("</td><td class=\"s ")
                        .append(esc(row.get("state"))).append("\">").append(esc(row.get("state")))
                        .append("</td><td class=\"n\">").append(esc(row.get("queued")));
                if (row.get("queuedBytes") != null) {
                    h.append(" <span class=\"dim small\">").append(bytes(((Number) row.get("queuedBytes")).longValue()))
                            .append("</span>");
                }
                Object oldest = row.get("oldestQueuedSeconds");
                if (oldest instanceof Number n && n.longValue() > 0) {
                    h.append("<br><span class=\"dim small\">oldest ").append(duration(n.longValue())).append("</span>");
                }
                h.append("</td><td class=\"n opt\">").append(both(row.get("sentRecent"), row.get("sent")))
                        .append("</td><td>").append(ago(row.get("lastSuccess"), now)).append("</td></tr>\n");
                if (row.get("lastError") instanceof Map<?, ?> e) {
                    h.append("<tr class=\"err\"><td colspan=\"5\" class=\"small\">last error ")
                            .append(ago(e.get("time"), now)).append(": ").append(esc(e.get("message")))
                            .append("</td></tr>\n");
                }
            }
            h.append("</table>");
        }
        h.append("</section>\n");

        h.append("<section id=\"probes\"><h2>Probes</h2><table><tr><th>Probe</th><th>Status</th>")
                .append("<th>Last success</th></tr>\n");
        for (Map<String, Object> row : rows(r, "probes")) {
            h.append("<tr><td>").append(esc(row.get("probe")));
            if (row.get("reason") != null) {
                h.append("<br><span class=\"dim small\">").append(esc(row.get("reason"))).append("</span>");
            }
            h.append("</td><td class=\"s ").append(esc(row.get("status"))).append("\">").append(esc(row.get("status")))
                    .append("</td><td>").append(ago(row.get("lastSuccess"), now));
            if (row.get("cycles") != null) {
                h.append("<br><span class=\"dim small\">").append(esc(row.get("cycles"))).append(" runs</span>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table></section>\n");

        h.append("<section id=\"components\"><h2>Components</h2><table><tr><th>Component</th><th>Status</th></tr>\n");
        for (Map<String, Object> row : rows(r, "components")) {
            h.append("<tr><td>").append(esc(row.get("component")));
            if (row.get("reason") != null) {
                h.append("<br><span class=\"dim small\">").append(esc(row.get("reason"))).append("</span>");
            }
            h.append("</td><td class=\"s ").append(esc(row.get("status"))).append("\">").append(esc(row.get("status")))
                    .append("</td></tr>\n");
        }
        h.append("</table></section>\n");

        h.append("<section class=\"wide\" id=\"errors\"><h2>Last errors</h2>");
        List<Map<String, Object>> errors = rows(r, "lastErrors");
        if (errors.isEmpty()) {
            h.append("<p class=\"dim\">None since the start.</p>");
        } else {
            h.append("<ul>");
            for (Map<String, Object> e : errors) {
                h.append("<li>").append(ago(e.get("time"), now)).append(" <b>").append(esc(e.get("source")))
                        .append("</b> <span class=\"small\">").append(esc(e.get("message"))).append("</span></li>\n");
            }
            h.append("</ul>");
        }
        h.append("</section>\n</main></body></html>\n");
        return h.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> r, String key) {
        return (List<Map<String, Object>>) r.get(key);
    }

    private static long count(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static void link(StringBuilder h, Map<String, Object> links, String key, String text) {
        h.append("<a href=\"").append(esc(links.get(key))).append("\">").append(esc(text)).append("</a>");
    }

    private static String both(Object recent, Object total) {
        if (total == null) {
            return "<span class=\"dim\">–</span>";
        }
        return esc(recent) + " <span class=\"dim\">/ " + esc(total) + "</span>";
    }

    private static String ago(Object time, Instant now) {
        if (time == null) {
            return "<span class=\"dim\">never</span>";
        }
        String t = String.valueOf(time);
        try {
            long s = Math.max(0, Duration.between(Instant.parse(t), now).toSeconds());
            return "<time datetime=\"" + esc(t) + "\" title=\"" + esc(t) + "\">" + duration(s) + " ago</time>";
        } catch (RuntimeException e) {
            return esc(t);
        }
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h";
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return b / 1024 + " KiB";
        }
        return b / (1024 * 1024) + " MiB";
    }

    /** HTML text and attribute escaping. */
    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(rep);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
