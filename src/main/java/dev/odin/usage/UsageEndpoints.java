package dev.odin.usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.lang.Nullable;

/**
 * The usage API and page on the management port, beside /metrics (cost data stays where the
 * operators' dashboards are): {@code GET /api/usage?group=day|week|month|session|block&since=&until=&timezone=}
 * (endpoint {@code usageapi}, mapped to api/usage) and {@code GET /usage} (endpoint {@code usage}).
 */
public final class UsageEndpoints {

    private UsageEndpoints() {
    }

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.BASIC_ISO_DATE;

    /** {@code GET /api/usage}: the ccusage-style JSON report. */
    @WebEndpoint(id = "usageapi")
    public static final class Api {
        private final UsageStore store;
        private final Clock clock;

        public Api(UsageStore store, Clock clock) {
            this.store = store;
            this.clock = clock;
        }

        @ReadOperation(produces = "application/json")
        public WebEndpointResponse<Map<String, Object>> report(@Nullable String group, @Nullable String since,
                @Nullable String until, @Nullable String timezone) throws IOException {
            UsageReport.Group g;
            ZoneId zone;
            LocalDate from;
            LocalDate to;
            try {
                g = UsageReport.Group.valueOf((group == null ? "day" : group).toUpperCase());
                zone = timezone == null || timezone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(timezone);
                from = date(since);
                to = date(until);
            } catch (IllegalArgumentException | DateTimeException e) {
                return new WebEndpointResponse<>(Map.of("error", "group is day, week, month, session or block;"
                        + " since and until are YYYY-MM-DD or YYYYMMDD; timezone is an IANA zone id ("
                        + e.getMessage() + ")"), 400);
            }
            return new WebEndpointResponse<>(UsageReport.build(store, g, from, to, zone, clock.instant()), 200);
        }
    }

    /** {@code GET /usage}: the page (today, the current block, 30 days), drawn from /api/usage. */
    @WebEndpoint(id = "usage")
    public static final class Page {
        private final String html;

        public Page() throws IOException {
            try (InputStream in = UsageEndpoints.class.getResourceAsStream("/usage/index.html")) {
                this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        @ReadOperation(produces = "text/html")
        public String page() {
            return html;
        }
    }

    static LocalDate date(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return s.length() == 8 ? LocalDate.parse(s, COMPACT) : LocalDate.parse(s);
    }
}
