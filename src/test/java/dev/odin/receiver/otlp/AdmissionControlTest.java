package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class AdmissionControlTest {

    /** A heap whose numbers the test sets. */
    static final class FakeHeap extends HeapWatch {
        final AtomicLong afterGc = new AtomicLong();
        final AtomicLong now = new AtomicLong();

        @Override
        public long usedAfterGc() {
            return afterGc.get();
        }

        @Override
        public long usedNow() {
            return now.get();
        }

        @Override
        public long max() {
            return 1000;
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeHeap heap = new FakeHeap();
    private double queueFill;
    private final AdmissionControl admission = new AdmissionControl(new AdmissionProperties(2, DataSize.ofBytes(100), 8, 3,
            0.8, 0.5, Duration.ofSeconds(3)), heap, () -> queueFill, registry);

    private double refused(String receiver, String transport, String reason) {
        var c = registry.find("odin.admission.refused").tag("receiver", receiver).tag("transport", transport)
                .tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void limitsRequestsAndBytesInFlightAndGivesThemBackOnClose() {
        AdmissionControl.Decision a = admission.admit("metrics", "http", 60);
        AdmissionControl.Decision b = admission.admit("metrics", "grpc", 60);
        assertThat(a.admitted()).isTrue();
        assertThat(b.admitted()).as("over 100 bytes together").isFalse();
        assertThat(b.reason()).isEqualTo(AdmissionControl.Reason.IN_FLIGHT);
        AdmissionControl.Decision c = admission.admit("logs", "http", 40);
        assertThat(c.admitted()).isTrue();
        assertThat(admission.admit("traces", "grpc", 0).admitted()).as("a third request").isFalse();
        assertThat(admission.inFlightRequests()).isEqualTo(2);
        assertThat(admission.inFlightBytes()).isEqualTo(100);
        a.ticket().close();
        a.ticket().close(); // closing twice gives back once
        c.ticket().close();
        assertThat(admission.inFlightRequests()).isZero();
        assertThat(admission.inFlightBytes()).isZero();
        // a request larger than the byte limit gets in when it is alone
        AdmissionControl.Decision big = admission.admit("metrics", "http", 500);
        assertThat(big.admitted()).isTrue();
        big.ticket().close();
        assertThat(refused("metrics", "grpc", "in_flight")).isEqualTo(1.0);
        assertThat(refused("traces", "grpc", "in_flight")).isEqualTo(1.0);
        assertThat(admission.retryAfterSeconds()).isEqualTo(3);
    }

    @Test
    void refusesWhileLiveHeapAndTheHeapNowAreBothOverTheLimit() {
        heap.afterGc.set(900);
        heap.now.set(700); // garbage collected since: live data must be below the limit
        assertThat(admission.admit("metrics", "http", 1).admitted()).isTrue();
        admission.admit("metrics", "http", 1); // (close not needed: a fresh limiter per test)
        heap.now.set(950);
        AdmissionControl.Decision d = admission.admit("logs", "grpc", 1);
        assertThat(d.reason()).isEqualTo(AdmissionControl.Reason.MEMORY);
        assertThat(d.message()).isEqualTo("ODIN is over its memory limit (90% of the heap is live); retry later");
        assertThat(admission.overMemory()).isTrue();
        heap.afterGc.set(300);
        assertThat(admission.overMemory()).isFalse();
    }

    @Test
    void aFullQueueRefusesEventsButNotMetrics() {
        queueFill = 0.6;
        AdmissionControl.Decision logs = admission.admit("logs", "http", 10);
        assertThat(logs.reason()).isEqualTo(AdmissionControl.Reason.QUEUE);
        assertThat(logs.message()).isEqualTo("the event queue is 60% full while Loki catches up; retry later");
        assertThat(admission.admit("metrics", "http", 10).admitted()).isTrue();
        assertThat(refused("logs", "http", "queue")).isEqualTo(1.0);
    }

    @Test
    void afterShutDownEverythingIsRefusedAndIdleIsAwaited() throws Exception {
        AdmissionControl.Decision inFlight = admission.admit("metrics", "http", 10);
        admission.shutDown();
        assertThat(admission.admit("metrics", "http", 10).reason()).isEqualTo(AdmissionControl.Reason.SHUTTING_DOWN);
        assertThat(admission.awaitIdle(Duration.ofMillis(50))).isFalse();
        inFlight.ticket().close();
        assertThat(admission.awaitIdle(Duration.ofMillis(50))).isTrue();
    }
}
