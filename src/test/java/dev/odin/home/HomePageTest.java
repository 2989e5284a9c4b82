package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page's drawing: every value from a report is escaped, whatever field it is in. */
class HomePageTest {

    static final String EVIL = "<img src=x onerror=alert(1)>\"'&";
    static final String ESCAPED = "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;";

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> hostileReport() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("version", EVIL);
        r.put("now", "2026-01-02T03:04:05Z");
        r.put("uptimeSeconds", 90_061L);
        r.put("recentWindowSeconds", 300L);
        r.put("receiving", List.of(row("receiver", EVIL, "protocol", EVIL, "requests", 3L, "requestsRecent", 1L,
                "refused", 0L, "items", 7L, "itemsRecent", 2L, "itemsAre", EVIL, "lastReceived", EVIL),
                row("receiver", EVIL, "protocol", "gRPC", "requests", 0L, "requestsRecent", 0L, "refused", 0L,
                        "items", 0L, "itemsRecent", 0L, "itemsAre", "spans", "lastReceived", null)));
        r.put("sending", List.of(row("sender", EVIL, "state", EVIL, "queued", 4L, "queuedBytes", 2048L,
                "oldestQueuedSeconds", 65L, "sent", 9L, "sentRecent", 0L, "lastSuccess", null,
                "lastError", row("time", "2026-01-02T03:04:00Z", "message", EVIL))));
        r.put("probes", List.of(row("probe", EVIL, "status", EVIL, "reason", EVIL, "lastSuccess",
                "2026-01-02T03:03:05Z", "cycles", EVIL)));
        r.put("components", List.of(row("component", EVIL, "status", EVIL, "reason", EVIL)));
        r.put("lastErrors", new ArrayList<>(List.of(row("time", EVIL, "source", EVIL, "message", EVIL))));
        Map<String, Object> links = new LinkedHashMap<>();
        for (String k : List.of("usage", "health", "ready", "metrics", "usageApi", "status", "docs")) {
            links.put(k, EVIL);
        }
        r.put("links", links);
        return r;
    }

    @Test
    void everyFieldIsEscaped() {
        String html = HomePage.render(hostileReport());
        assertThat(html).doesNotContain("<img").doesNotContain("onerror=alert(1)>");
        // once per field above: 4 receiving, 1 idle receiver, 4 sending, 5 probes, 4 components (a status is a class and a text), 3 errors, 7 links, version
        assertThat(html.split(java.util.regex.Pattern.quote(ESCAPED), -1).length - 1).isEqualTo(29);
        assertThat(html).contains("<p class=\"dim small\" id=\"idle\">Listening, nothing yet: " + ESCAPED + " (gRPC)</p>")
                .doesNotContain("spans"); // the idle receiver has no row
        assertThat(html).contains("up 1 d 1 h").contains("2 KiB").contains("oldest 1 min")
                .contains("last error <time datetime=\"2026-01-02T03:04:00Z\" title=\"2026-01-02T03:04:00Z\">5 s ago"
                        + "</time>: " + ESCAPED)
                .contains("<time datetime=\"2026-01-02T03:03:05Z\" title=\"2026-01-02T03:03:05Z\">1 min ago</time>");
    }

    @Test
    void escapes() {
        assertThat(HomePage.esc("a<b>&\"'c")).isEqualTo("a&lt;b&gt;&amp;&quot;&#39;c");
        assertThat(HomePage.esc(null)).isEqualTo("null");
        assertThat(HomePage.esc("plain")).isEqualTo("plain");
    }

    @Test
    void durations() {
        assertThat(HomePage.duration(0)).isEqualTo("0 s");
        assertThat(HomePage.duration(59)).isEqualTo("59 s");
        assertThat(HomePage.duration(60)).isEqualTo("1 min");
        assertThat(HomePage.duration(3599)).isEqualTo("59 min");
        assertThat(HomePage.duration(3600)).isEqualTo("1 h 0 min");
        assertThat(HomePage.duration(86_399)).isEqualTo("23 h 59 min");
        assertThat(HomePage.duration(86_400)).isEqualTo("1 d 0 h");
    }
}
