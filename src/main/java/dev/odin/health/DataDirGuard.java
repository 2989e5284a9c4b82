package dev.odin.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Watches the writes under {@code odin.data-dir}: the Loki queue and its cursor, the dead-letter
 * file, the local event files. A write that fails (ENOSPC or any other I/O error), or one that
 * would start while the file system has less than {@code odin.data-dir-min-free} left, becomes a
 * {@link DataDirFullException}: a retryable refusal. Each failure is counted
 * ({@code odin_data_dir_write_failures_total{what,reason}}) and remembered until a write of the
 * same kind succeeds, so /health (component {@code dataDir}) and /ready show it and clear by
 * themselves once space returns.
 *
 * <p>The free-space check is one statvfs call, made at most every {@value #FREE_CHECK_MILLIS} ms.
 * When writes of events failed and no request has come since (a load balancer that follows /ready
 * sends none), a small probe file written at most once a second tells whether they would succeed
 * again.
 */
public final class DataDirGuard implements HealthIndicator {

    /** New events go here: a failure means requests are refused. */
    public static final String LOKI_QUEUE = "loki_queue";
    public static final String EVENTS = "events";
    /** Delivery state: a failure delays delivery, requests are still accepted. */
    public static final String LOKI_CURSOR = "loki_cursor";
    public static final String DEAD_LETTER = "loki_dead_letter";

    static final long FREE_CHECK_MILLIS = 250;
    private static final long PROBE_MILLIS = 1000;
    private static final int PROBE_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(DataDirGuard.class);

    /** An I/O call that writes under the data dir. */
    @FunctionalInterface
    public interface Write<T> {
        T run() throws IOException;
    }

    private record Failure(Instant time, String message) {
    }

    private final Path dir;
    private final long minFreeBytes;
    private final long retryAfterMillis;
    private final LongSupplier usableSpace;
    private final LongSupplier nanoTime;
    private final MeterRegistry registry;
    private final Map<String, Failure> failing = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private volatile long freeBytes = -1;
    private volatile long freeCheckedNanos;
    private volatile long probedNanos;

    /**
     * @param dir the data dir (created if missing)
     * @param minFreeBytes writes are refused while less than this is free (0: only real failures)
     * @param retryAfterMillis the delay suggested to refused clients
     */
    public static DataDirGuard of(Path dir, long minFreeBytes, long retryAfterMillis, MeterRegistry registry)
            throws IOException {
        Files.createDirectories(dir);
        FileStore store = Files.getFileStore(dir);
        return new DataDirGuard(dir, minFreeBytes, retryAfterMillis, () -> {
            try {
                return store.getUsableSpace();
            } catch (IOException e) {
                return -1; // unknown: the writes themselves will tell
            }
        }, System::nanoTime, registry);
    }

    public DataDirGuard(Path dir, long minFreeBytes, long retryAfterMillis, LongSupplier usableSpace,
            LongSupplier nanoTime, MeterRegistry registry) {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
        this.retryAfterMillis = retryAfterMillis;
        this.usableSpace = usableSpace;
        this.nanoTime = nanoTime;
        this.registry = registry;
        this.freeCheckedNanos = nanoTime.getAsLong() - FREE_CHECK_MILLIS * 2_000_000;
        this.probedNanos = freeCheckedNanos;
        Gauge.builder("odin.data.dir.free", this, g -> g.freeBytes(false)).baseUnit("bytes")
                .description("Bytes free for ODIN on the file system of odin.data-dir").register(registry);
        Gauge.builder("odin.data.dir.min.free", () -> minFreeBytes).baseUnit("bytes")
                .description("odin.data-dir-min-free: writes are refused below this").register(registry);
    }

    /**
     * Runs one write of kind {@code what}: new events are refused at once below the free-space floor; an
     * IOException it throws becomes the retryable refusal. The write itself must leave nothing
     * half-done behind when it fails.
     */
    public <T> T write(String what, Write<T> write) {
        if (what.equals(LOKI_QUEUE) || what.equals(EVENTS)) {
            checkFloor(what); // not for delivery state: writing the cursor is what lets space be freed
        }
        T result;
        try {
            result = write.run();
        } catch (DataDirFullException e) {
            throw e;
        } catch (IOException e) {
            throw failed(what, e);
        }
        succeeded(what);
        return result;
    }

    /** Refuses (and counts) when the file system is below {@code odin.data-dir-min-free}. */
    public void checkFloor(String what) {
        if (minFreeBytes <= 0) {
            return;
        }
        long free = freeBytes(false);
        if (free >= 0 && free < minFreeBytes) {
            count(what, "min_free");
            String message = "the data dir " + dir + " has " + free + " bytes free, less than odin.data-dir-min-free ("
                    + minFreeBytes + "); retry later";
            remember(what, message);
            throw new DataDirFullException(message, retryAfterMillis);
        }
    }

    /** Counts and remembers a failed write; the refusal to give the client. */
    public DataDirFullException failed(String what, IOException e) {
        count(what, "io_error");
        long free = freeBytes(true);
        String message = "cannot write the " + what.replace('_', ' ') + " under the data dir (" + describe(e)
                + "; " + free + " bytes free); retry later";
        remember(what, message);
        return new DataDirFullException(message, retryAfterMillis);
    }

    /** A write of this kind worked: whatever failed before is over. */
    public void succeeded(String what) {
        Failure f = failing.remove(what);
        if (f != null) {
            log.info("data dir: writing the {} works again (it failed since {})", what.replace('_', ' '), f.time());
        }
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    private void remember(String what, String message) {
        if (failing.put(what, new Failure(Instant.now(), message)) == null) {
            log.warn("data dir: {}", message);
        }
    }

    private void count(String what, String reason) {
        counters.computeIfAbsent(what + '\0' + reason, k -> Counter.builder("odin.data.dir.write.failures")
                .description("Writes under odin.data-dir that failed or were refused, by what and why")
                .tag("what", what).tag("reason", reason).register(registry)).increment();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        // the JDK names the file, then the errno text; the errno text is the point
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Bytes free for this process, or -1 when unknown; at most one statvfs per interval unless forced. */
    public long freeBytes(boolean fresh) {
        long now = nanoTime.getAsLong();
        if (fresh || now - freeCheckedNanos >= FREE_CHECK_MILLIS * 1_000_000) {
            freeBytes = usableSpace.getAsLong();
            freeCheckedNanos = now;
        }
        return freeBytes;
    }

    /** True while new events can be written: above the floor and their last write did not fail. */
    public boolean acceptingWrites() {
        if (minFreeBytes > 0) {
            long free = freeBytes(false);
            if (free >= 0 && free < minFreeBytes) {
                return false;
            }
        }
        if (!failing.containsKey(LOKI_QUEUE) && !failing.containsKey(EVENTS)) {
            return true;
        }
        probe();
        return !failing.containsKey(LOKI_QUEUE) && !failing.containsKey(EVENTS);
    }

    /** Why writes are refused or failing; empty when none are. */
    public Map<String, String> failures() {
        Map<String, String> out = new LinkedHashMap<>();
        failing.forEach((k, v) -> out.put(k, v.message()));
        return out;
    }

    /**
     * With event writes failing: one small write and sync, at most once a second, to see whether
     * they would work again. Success clears the failure (the next real write decides for good).
     */
    private void probe() {
        long now = nanoTime.getAsLong();
        if (now - probedNanos < PROBE_MILLIS * 1_000_000) {
            return;
        }
        probedNanos = now;
        if (minFreeBytes > 0 && freeBytes(true) < minFreeBytes) {
            return;
        }
        Path p = dir.resolve(".odin-write-probe");
        try {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.allocate(PROBE_BYTES);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false);
            }
            succeeded(LOKI_QUEUE);
            succeeded(EVENTS);
        } catch (IOException e) {
            // still failing; the remembered failure stands
        } finally {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // nothing to do about it
            }
        }
    }

    /** /health component {@code dataDir}. */
    @Override
    public Health health() {
        boolean accepting = acceptingWrites();
        Map<String, String> failures = failures();
        long free = freeBytes(false);
        Health.Builder b;
        if (!accepting) {
            b = Health.down().withDetail("reason", failures.isEmpty()
                    ? "less than odin.data-dir-min-free is free: new events are refused (503, retry later)"
                    : "new events cannot be written: requests are refused (503, retry later)");
        } else if (!failures.isEmpty()) {
            b = Health.status(ComponentStatus.DEGRADED.actuatorStatus())
                    .withDetail("reason", "delivery state cannot be written; delivery waits");
        } else {
            b = Health.up();
        }
        b.withDetail("directory", dir.toString()).withDetail("freeBytes", free)
                .withDetail("minFreeBytes", minFreeBytes);
        if (!failures.isEmpty()) {
            b.withDetail("failing", failures);
        }
        return b.build();
    }
}
