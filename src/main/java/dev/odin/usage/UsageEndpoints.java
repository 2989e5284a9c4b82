package dev.odin.usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.lang.Nullable;

/**
 * The usage API and page on the management port, beside /metrics (cost data stays where the
 * operators' dashboards are): {@code GET /api/usage?group=day|week|month|session|block|project|branch|machine&since=&until=&timezone=}
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
            Query q;
            try {
                q = Query.parse(group, since, until, timezone);
            } catch (BadQuery e) {
                return new WebEndpointResponse<>(Map.of("error", e.getMessage()), 400);
            }
            return new WebEndpointResponse<>(UsageReport.build(store, q.group(), q.since(), q.until(), q.zone(),
                    clock.instant()), 200);
        }
    }

    /** The earliest and latest day a query may name: the history has nothing outside them. */
    static final LocalDate FIRST_DAY = LocalDate.of(2000, 1, 1);
    static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
    /** Longest parameter value looked at; longer ones are refused unread. */
    static final int MAX_PARAMETER_LENGTH = 64;

    /** A refused query parameter; the message says what is accepted. */
    static final class BadQuery extends Exception {
        BadQuery(String message) {
            super(message, null, false, false);
        }
    }

    /** The checked parameters of one report query. */
    record Query(UsageReport.Group group, LocalDate since, LocalDate until, ZoneId zone) {

        static Query parse(String group, String since, String until, String timezone) throws BadQuery {
            UsageReport.Group g = group(group);
            LocalDate from = date("since", since);
            LocalDate to = date("until", until);
            if (from != null && to != null && from.isAfter(to)) {
                throw new BadQuery("since (" + from + ") is after until (" + to + "): the window would be empty;"
                        + " since must be on or before until");
            }
            return new Query(g, from, to, zone(timezone));
        }

        private static UsageReport.Group group(String s) throws BadQuery {
            if (s == null || s.isBlank()) {
                return UsageReport.Group.DAY;
            }
            checkLength("group", s);
            try {
                return UsageReport.Group.valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadQuery("group " + quote(s) + " is not known: group is day, week, month, session or block (by"
                        + " time and session), project or branch (by repository), or machine (a row per machine)");
            }
        }

        private static ZoneId zone(String s) throws BadQuery {
            if (s == null || s.isBlank()) {
                return ZoneId.systemDefault();
            }
            checkLength("timezone", s);
            try {
                return ZoneId.of(s.strip());
            } catch (DateTimeException e) {
                throw new BadQuery("timezone " + quote(s) + " is not a time zone: timezone is an IANA zone id"
                        + " (Europe/Berlin, UTC) or an offset (+02:00)");
            }
        }

        private static LocalDate date(String name, String s) throws BadQuery {
            if (s == null || s.isBlank()) {
                return null;
            }
            checkLength(name, s);
            LocalDate d;
            try {
                d = UsageEndpoints.date(s.strip());
            } catch (DateTimeException e) {
                throw new BadQuery(name + " " + quote(s) + " is not a date: " + name
                        + " is YYYY-MM-DD or YYYYMMDD, from " + FIRST_DAY + " to " + LAST_DAY);
            }
            if (d.isBefore(FIRST_DAY) || d.isAfter(LAST_DAY)) {
                throw new BadQuery(name + " " + quote(s) + " is out of range: " + name + " is a day from " + FIRST_DAY
                        + " to " + LAST_DAY);
            }
            return d;
        }

        private static void checkLength(String name, String s) throws BadQuery {
            if (s.length() > MAX_PARAMETER_LENGTH) {
                throw new BadQuery(name + " is " + s.length() + " characters long; at most " + MAX_PARAMETER_LENGTH
                        + " are accepted");
            }
        }

        private static String quote(String s) {
            return "\"" + s + "\"";
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
