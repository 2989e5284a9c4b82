package dev.odin.compat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.BooleanSupplier;

/**
 * The answer of the Collector's health_check extension (contrib extension/healthcheckextension,
 * its default mode), byte for byte: {@code 200 {"status":"Server available","upSince":"...",
 * "uptime":"..."}} while ready, {@code 503 {"status":"Server not available","upSince":
 * "0001-01-01T00:00:00Z","uptime":""}} otherwise, {@code Content-Type: application/json}.
 * {@code upSince} is when ODIN last became ready, in Go's RFC 3339 form with nanoseconds and the
 * zone's offset; {@code uptime} the time since in Go's duration form ({@code 1h2m3.5s}).
 *
 * <p>Ready means ODIN's {@code /ready} says so (routes running, receivers bound, not shedding
 * load, the event queue not full); the supplier decides.
 */
public final class CollectorHealth {

    /** What the extension answers when not ready: Go's zero time and an empty uptime. */
    static final String UNAVAILABLE = "{\"status\":\"Server not available\",\"upSince\":\"0001-01-01T00:00:00Z\","
            + "\"uptime\":\"\"}";

    /** A status code and a JSON body. */
    public record Answer(int status, byte[] body) {
    }

    private final BooleanSupplier ready;
    private final Clock clock;
    private final ZoneId zone;
    private Instant upSince;

    public CollectorHealth(BooleanSupplier ready, Clock clock, ZoneId zone) {
        this.ready = ready;
        this.clock = clock;
        this.zone = zone;
    }

    /** ODIN became ready (its readiness changed to accepting traffic) at this instant. */
    public synchronized void becameReady(Instant at) {
        if (upSince == null) {
            upSince = at;
        }
    }

    /** The extension's answer now. */
    public Answer answer() {
        boolean isReady = ready.getAsBoolean();
        Instant now = clock.instant();
        Instant since;
        synchronized (this) {
            if (!isReady) {
                upSince = null; // the extension resets its start when it becomes ready again
                return new Answer(503, UNAVAILABLE.getBytes(StandardCharsets.UTF_8));
            }
            if (upSince == null) {
                upSince = now;
            }
            since = upSince;
        }
        String body = "{\"status\":\"Server available\",\"upSince\":\"" + goTime(ZonedDateTime.ofInstant(since, zone))
                + "\",\"uptime\":\"" + goDuration(Duration.between(since, now)) + "\"}";
        return new Answer(200, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Go's time.RFC3339Nano: seconds, then the fraction without trailing zeros, then Z or ±hh:mm. */
    static String goTime(ZonedDateTime t) {
        StringBuilder sb = new StringBuilder(40);
        sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute(), t.getSecond()));
        int nanos = t.getNano();
        if (nanos != 0) {
            String frac = String.format("%09d", nanos).replaceFirst("0+$", "");
            sb.append('.').append(frac);
        }
        ZoneOffset offset = t.getOffset();
        if (offset.getTotalSeconds() == 0) {
            sb.append('Z');
        } else {
            int total = offset.getTotalSeconds();
            sb.append(total < 0 ? '-' : '+');
            int abs = Math.abs(total);
            sb.append(String.format("%02d:%02d", abs / 3600, (abs / 60) % 60));
        }
        return sb.toString();
    }

    /**
     * Go's time.Duration.String(): {@code 0s}; under a second in ns, µs or ms with the fraction
     * trimmed ({@code 1.5ms}); else hours and minutes when not zero, then seconds with up to nine
     * decimals ({@code 25.104003883s}, {@code 2m0s}, {@code 1h0m0.5s}).
     */
    static String goDuration(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE; // Go's duration saturates likewise
        }
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (nanos < 0) {
            sb.append('-');
        }
        // the magnitude as unsigned: Long.MIN_VALUE has none as a long
        java.math.BigInteger abs = java.math.BigInteger.valueOf(nanos).abs();
        long u = abs.longValue(); // fits unless MIN_VALUE, handled by unsigned arithmetic below
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            if (u < 1_000L) {
                return sb.append(u).append("ns").toString();
            }
            if (u < 1_000_000L) {
                return sb.append(fraction(u, 3)).append("µs").toString();
            }
            return sb.append(fraction(u, 6)).append("ms").toString();
        }
        long seconds = Long.divideUnsigned(u, 1_000_000_000L);
        long frac = Long.remainderUnsigned(u, 1_000_000_000L);
        long hours = seconds / 3600;
        long minutes = (seconds / 60) % 60;
        long secs = seconds % 60;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        sb.append(secs);
        if (frac != 0) {
            sb.append('.').append(String.format("%09d", frac).replaceFirst("0+$", ""));
        }
        return sb.append('s').toString();
    }

    /** value / 10^digits with the fraction's trailing zeros trimmed (Go's fmtFrac and fmtInt). */
    private static String fraction(long value, int digits) {
        long scale = (long) Math.pow(10, digits);
        long whole = value / scale;
        long frac = value % scale;
        if (frac == 0) {
            return Long.toString(whole);
        }
        return whole + "." + String.format("%0" + digits + "d", frac).replaceFirst("0+$", "");
    }
}
