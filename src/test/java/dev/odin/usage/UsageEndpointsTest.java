package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * Issue 13, finding 8: every bad or out-of-range query parameter of /api/usage is a 400 whose
 * message says what is accepted, never a 500 (since=-999999999-01-01 was one: the report steps a
 * day back from LocalDate.MIN).
 */
class UsageEndpointsTest {

    @TempDir
    Path dir;

    private WebEndpointResponse<java.util.Map<String, Object>> get(String group, String since, String until,
            String zone) throws Exception {
        return new UsageEndpoints.Api(new UsageStore(dir, 400), Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"),
                ZoneOffset.UTC)).report(group, since, until, zone);
    }

    @ParameterizedTest(name = "group={0} since={1} until={2} timezone={3}")
    @CsvSource(nullValues = "-", value = {
        "-, -999999999-01-01, -, UTC, 'since \"-999999999-01-01\" is out of range: since is a day from 2000-01-01 to 9999-12-31'",
        "-, +999999999-12-31, -, UTC, 'since \"+999999999-12-31\" is out of range'",
        "-, -, +10000-01-01, UTC, 'until \"+10000-01-01\" is out of range'",
        "-, 1999-12-31, -, UTC, 'is out of range: since is a day from 2000-01-01'",
        "-, 2026-02-30, -, UTC, 'since \"2026-02-30\" is not a date: since is YYYY-MM-DD or YYYYMMDD'",
        "-, yesterday, -, UTC, 'is not a date'",
        "-, 2026-11-23, 2026-11-22, UTC, 'since (2026-11-23) is after until (2026-11-22)'",
        "-, -, -, Mars/Olympus, 'timezone \"Mars/Olympus\" is not a time zone: timezone is an IANA zone id'",
        "-, -, -, +25:00, 'is not a time zone'",
        "-, -, -, ../../etc/passwd, 'is not a time zone'",
        "fortnight, -, -, UTC, 'group \"fortnight\" is not known: group is day, week, month, session or block'",
    })
    void badParametersAre400WithWhatIsAccepted(String group, String since, String until, String zone, String message)
            throws Exception {
        var r = get(group, since, until, zone);
        assertThat(r.getStatus()).isEqualTo(400);
        assertThat((String) r.getBody().get("error")).contains(message);
    }

    @ParameterizedTest(name = "a {0}-character {1}")
    @CsvSource({"65, since", "100000, until", "65, timezone", "1000, group"})
    void overLongValuesAreRefusedWithoutEchoingThem(int length, String parameter) throws Exception {
        String v = "9".repeat(length);
        var r = switch (parameter) {
            case "since" -> get(null, v, null, "UTC");
            case "until" -> get(null, null, v, "UTC");
            case "timezone" -> get(null, null, null, v);
            default -> get(v, null, null, "UTC");
        };
        assertThat(r.getStatus()).isEqualTo(400);
        String error = (String) r.getBody().get("error");
        assertThat(error).isEqualTo(parameter + " is " + length + " characters long; at most 64 are accepted");
    }

    @ParameterizedTest(name = "group={0} since={1} until={2} timezone={3}")
    @CsvSource(nullValues = "-", value = {
        "-, 2000-01-01, 9999-12-31, UTC",
        "WEEK, 20000103, 99991231, Pacific/Kiritimati",
        "block, 2026-11-22, 2026-11-22, -12:00",
        "month, -, -, -",
        "session, ' 2026-11-01 ', -, ' Europe/Berlin '",
    })
    void theEdgesOfTheRangeAreAnswered(String group, String since, String until, String zone) throws Exception {
        assertThat(get(group, since, until, zone).getStatus()).isEqualTo(200);
    }
}
