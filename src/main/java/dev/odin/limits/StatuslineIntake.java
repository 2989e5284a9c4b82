package dev.odin.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of routes/claude-limits.yaml: {@code POST /api/statusline} on the OTLP/HTTP port,
 * where bin/odin-statusline posts the JSON Claude Code hands its statusLine command. The body
 * (JSON, at most {@code odin.limits.max-body-size}, else 413 unread) is read as
 * {@link StatusLine} (400 with the reason when it cannot be), its rate limits become the
 * {@link PlanLimits} gauges of the sending machine and user (headers {@value #MACHINE_HEADER} and
 * {@value #USER_HEADER}; absent: this ODIN's own odin.claude.machine and odin.claude.user), and
 * the answer is JSON with the line the script prints: today's spend, the active block, the
 * limits. Requests are counted in {@code odin_claude_statusline_requests_total{outcome}}.
 */
public final class StatuslineIntake {

    private static final Logger log = LoggerFactory.getLogger(StatuslineIntake.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String MACHINE_HEADER = "X-Odin-Machine";
    public static final String USER_HEADER = "X-Odin-User";
    /** Longest machine or user name taken. */
    static final int MAX_NAME_LENGTH = 128;

    private final PlanLimits limits;
    private final UsageSummary usage;
    private final long maxBodyBytes;
    private final String defaultMachine;
    private final String defaultUser;
    private final UnaryOperator<String> userRule;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

    /**
     * @param userRule the privacy rule for a user name a client sends (user.email's, as the usage
     *        history applies to odin.claude.user)
     * @param defaultUser this ODIN's user, the rule already applied
     */
    public StatuslineIntake(PlanLimits limits, UsageSummary usage, long maxBodyBytes, String defaultMachine,
            String defaultUser, UnaryOperator<String> userRule, Clock clock, MeterRegistry registry) {
        this.limits = limits;
        this.usage = usage;
        this.maxBodyBytes = maxBodyBytes;
        this.defaultMachine = defaultMachine;
        this.defaultUser = defaultUser == null ? "" : defaultUser;
        this.userRule = userRule;
        this.clock = clock;
        this.registry = registry;
        for (String o : new String[] {"ok", "malformed", "too_large", "unsupported_media_type", "method_not_allowed", "busy", "failed"}) {
            outcome(o);
        }
    }

    private Counter outcome(String o) {
        return outcomes.computeIfAbsent(o, k -> Counter.builder("odin.claude.statusline.requests")
                .description("Statusline posts (POST /api/statusline) by outcome").tag("outcome", k)
                .register(registry));
    }

    /** A refusal: its status and message. */
    static final class Refused extends Exception {
        final int status;
        final String outcome;

        Refused(int status, String outcome, String message) {
            super(message, null, false, false);
            this.status = status;
            this.outcome = outcome;
        }
    }

    /** Route step: the request in, the answer (or the refusal) out. */
    public void ingest(Exchange exchange) throws IOException {
        try {
            String type = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class);
            if (!isJson(type)) {
                throw new Refused(415, "unsupported_media_type", "Content-Type " + type
                        + ": the statusline is posted as JSON (Content-Type: application/json)");
            }
            String machine = name(exchange, MACHINE_HEADER, defaultMachine);
            String sentUser = name(exchange, USER_HEADER, null);
            String user = sentUser == null ? defaultUser : userRule.apply(sentUser);
            byte[] body = read(exchange);
            StatusLine line;
            try {
                line = StatusLine.parse(body);
            } catch (StatusLine.Malformed e) {
                throw new Refused(400, "malformed", e.getMessage());
            }
            int kept = limits.record(line, machine, user);
            outcome("ok").increment();
            respond(exchange, 200, JSON.writeValueAsString(answer(line, machine, user, kept)));
        } catch (Refused r) {
            outcome(r.outcome).increment();
            respond(exchange, r.status, error(r.getMessage()));
        }
    }

    /** Whether a Content-Type is JSON: application/json, with parameters or not. */
    static boolean isJson(String type) {
        return type != null && type.toLowerCase(Locale.ROOT).strip().matches("application/json\\s*(;.*)?");
    }

    /** Counts a request the filter refused before the route. */
    void refused(String outcomeName) {
        outcome(outcomeName).increment();
    }

    /** The JSON of an error answer. */
    static String error(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String tooLargeMessage(String size) {
        return "the body of " + size + " is larger than the limit of " + maxBodyBytes
                + " bytes (odin.limits.max-body-size)";
    }

    /** Route step (onException): anything unexpected, 500 with its id in the log. */
    public void fail(Exchange exchange) throws IOException {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        log.warn("statusline request failed", t);
        outcome("failed").increment();
        respond(exchange, 500, JSON.writeValueAsString(Map.of("error", "internal error: "
                + (t == null ? "unknown" : t.getClass().getSimpleName()))));
    }

    private String name(Exchange exchange, String header, String fallback) throws Refused {
        String v = exchange.getIn().getHeader(header, String.class);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        v = v.strip();
        if (v.length() > MAX_NAME_LENGTH || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new Refused(400, "malformed", header + " is at most " + MAX_NAME_LENGTH
                    + " printable characters");
        }
        return v;
    }

    private byte[] read(Exchange exchange) throws IOException, Refused {
        Long declared = exchange.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > maxBodyBytes) {
            throw tooLarge(declared + " bytes");
        }
        Object body = exchange.getIn().getBody();
        if (body instanceof byte[] b) {
            if (b.length > maxBodyBytes) {
                throw tooLarge(b.length + " bytes");
            }
            return b;
        }
        if (body == null) {
            return new byte[0];
        }
        InputStream in = exchange.getIn().getBody(InputStream.class);
        if (in == null) {
            String s = exchange.getIn().getBody(String.class);
            byte[] b = s == null ? new byte[0] : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length > maxBodyBytes) {
                throw tooLarge(b.length + " bytes");
            }
            return b;
        }
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        if (b.length > maxBodyBytes) {
            throw tooLarge("more than " + maxBodyBytes + " bytes");
        }
        return b;
    }

    private Refused tooLarge(String size) {
        return new Refused(413, "too_large", tooLargeMessage(size));
    }

    private Map<String, Object> answer(StatusLine line, String machine, String user, int kept) throws IOException {
        Instant now = clock.instant();
        UsageSummary.Summary s = usage.now();
        Map<String, Object> a = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        parts.add(dollars(s.todayCost()) + " today");
        Map<String, Object> today = new LinkedHashMap<>();
        today.put("date", s.today().toString());
        today.put("costUsd", s.todayCost());
        Map<String, Object> block = null;
        if (s.block() != null) {
            long left = Math.max(0, Duration.between(now, s.block().end()).toMinutes());
            parts.add("block " + dollars(s.block().cost()) + " (" + duration(left) + " left)");
            block = new LinkedHashMap<>();
            block.put("startTime", s.block().start().toString());
            block.put("endTime", s.block().end().toString());
            block.put("costUsd", s.block().cost());
            block.put("remainingMinutes", left);
        }
        List<Map<String, Object>> windows = new ArrayList<>();
        for (StatusLine.Window w : line.windows()) {
            if (w.usedPercentage() == null) {
                continue;
            }
            BigDecimal ratio = w.usedPercentage().movePointLeft(2).stripTrailingZeros();
            parts.add(label(w.name()) + " " + PlanLimits.percent(ratio) + "%");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("window", w.name());
            m.put("usedRatio", ratio);
            m.put("resetsAt", w.resetsAt() == null ? null : w.resetsAt().toString());
            windows.add(m);
        }
        a.put("line", String.join(" \u00b7 ", parts));
        a.put("machine", machine);
        a.put("user", user);
        a.put("today", today);
        a.put("block", block);
        a.put("limits", windows);
        a.put("kept", kept);
        return a;
    }

    /** five_hour -> 5h, seven_day -> 7d; another window by its name. */
    static String label(String window) {
        return switch (window) {
            case "five_hour" -> "5h";
            case "seven_day" -> "7d";
            default -> window;
        };
    }

    static String dollars(BigDecimal usd) {
        return "$" + (usd == null ? BigDecimal.ZERO : usd).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    static String duration(long minutes) {
        return minutes >= 60 ? (minutes / 60) + "h" + String.format(Locale.ROOT, "%02d", minutes % 60) + "m"
                : minutes + "m";
    }

    private static void respond(Exchange exchange, int status, String json) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }
}
