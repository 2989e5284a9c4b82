package dev.odin.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Status;

class DataDirGuardTest {

    @TempDir
    Path dir;

    private final AtomicLong free = new AtomicLong(10_000_000);
    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private DataDirGuard guard(long minFree) {
        return new DataDirGuard(dir, minFree, 5000, free::get, nanos::get, registry);
    }

    private double failures(String what, String reason) {
        var c = registry.find("odin.data.dir.write.failures").tag("what", what).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void belowTheFloorNewEventsAreRefusedBeforeAnyWriteAndAcceptedAgainAboveIt() {
        DataDirGuard g = guard(1_000_000);
        assertThat(g.write(DataDirGuard.EVENTS, () -> 7)).isEqualTo(7);
        free.set(999_999);
        nanos.addAndGet(DataDirGuard.FREE_CHECK_MILLIS * 1_000_000); // the next statvfs is due
        boolean[] ran = {false};
        assertThatThrownBy(() -> g.write(DataDirGuard.EVENTS, () -> ran[0] = true))
                .isInstanceOfSatisfying(DataDirFullException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.grpcCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
                    assertThat(e.retryAfterMillis()).isEqualTo(5000);
                    assertThat(e.outcome()).isEqualTo("disk_full");
                    assertThat(e.getMessage()).contains("999999 bytes free", "odin.data-dir-min-free", "retry later");
                });
        assertThat(ran[0]).isFalse();
        assertThat(failures("events", "min_free")).isEqualTo(1);
        assertThat(g.acceptingWrites()).isFalse();
        assertThat(g.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(g.health().getDetails()).containsEntry("freeBytes", 999_999L).containsEntry("minFreeBytes", 1_000_000L);

        // the cursor is not held to the floor: saving it is how delivered segments free space
        assertThat(g.write(DataDirGuard.LOKI_CURSOR, () -> "saved")).isEqualTo("saved");

        free.set(2_000_000);
        nanos.addAndGet(DataDirGuard.FREE_CHECK_MILLIS * 1_000_000);
        assertThat(g.acceptingWrites()).isTrue(); // the probe write in the temp dir works
        assertThat(g.write(DataDirGuard.EVENTS, () -> 1)).isEqualTo(1);
        assertThat(g.health().getStatus()).isEqualTo(Status.UP);
        assertThat(g.failures()).isEmpty();
    }

    @Test
    void anIoErrorIsARetryableRefusalRememberedUntilTheNextWriteOfItsKindWorks() {
        DataDirGuard g = guard(0);
        assertThatThrownBy(() -> g.write(DataDirGuard.LOKI_QUEUE, () -> {
            throw new IOException("No space left on device");
        })).isInstanceOf(DataDirFullException.class).hasMessageContaining("No space left on device");
        assertThat(failures("loki_queue", "io_error")).isEqualTo(1);
        assertThat(g.failures()).containsKey("loki_queue");
        assertThat(g.write(DataDirGuard.LOKI_QUEUE, () -> true)).isTrue();
        assertThat(g.failures()).isEmpty();

        // a cursor that cannot be saved: degraded, events still accepted
        assertThatThrownBy(() -> g.write(DataDirGuard.LOKI_CURSOR, () -> {
            throw new IOException("Input/output error");
        })).isInstanceOf(DataDirFullException.class);
        assertThat(g.acceptingWrites()).isTrue();
        assertThat(g.health().getStatus().getCode()).isEqualTo("DEGRADED");
        assertThat(failures("loki_cursor", "io_error")).isEqualTo(1);
    }
}
