package dev.odin.receiver.otlp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Decides, before a request is decoded, whether ODIN can take it: refused while too many
 * requests or bytes are in flight, while live heap is over its share, or (for events) while the
 * Loki queue is past its soft limit. A refusal is cheap and retryable; an admitted request holds
 * a {@link Ticket} until it is answered. Nothing accepted is ever dropped to make room: the
 * limiter only ever says no to what has not been accepted yet.
 */
public final class AdmissionControl {

    /** Why a request was refused; the reason label of odin_admission_refused_total. */
    public enum Reason { IN_FLIGHT, MEMORY, QUEUE, SHUTTING_DOWN }

    /** An admitted request; closing it (once) gives its share back. */
    public final class Ticket implements AutoCloseable {
        private final long bytes;
        private boolean closed;

        private Ticket(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                inFlightRequests.decrementAndGet();
                inFlightBytes.addAndGet(-bytes);
            }
        }
    }

    /** The outcome: a ticket, or the reason and a message for the client. */
    public record Decision(Ticket ticket, Reason reason, String message) {
        public boolean admitted() {
            return ticket != null;
        }
    }

    private final AdmissionProperties config;
    private final HeapWatch heap;
    private final DoubleSupplier queueFill;
    private final MeterRegistry registry;
    private final AtomicInteger inFlightRequests = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final AtomicLong refusedTotal = new AtomicLong();
    private volatile boolean shuttingDown;

    /**
     * @param queueFill the Loki queue's fill, 0..1 (0 without Loki)
     */
    public AdmissionControl(AdmissionProperties config, HeapWatch heap, DoubleSupplier queueFill,
            MeterRegistry registry) {
        this.config = config;
        this.heap = heap;
        this.queueFill = queueFill;
        this.registry = registry;
        Gauge.builder("odin.admission.in.flight.requests", inFlightRequests, AtomicInteger::get)
                .description("Requests received and not yet answered").register(registry);
        Gauge.builder("odin.admission.in.flight.bytes", inFlightBytes, AtomicLong::get).baseUnit("bytes")
                .description("Estimated memory cost of the decoded requests in flight (decoded size times its cost factor)").register(registry);
        Gauge.builder("odin.admission.heap.live.ratio", this, a -> a.liveHeapRatio())
                .description("Heap used after the latest garbage collection, as a fraction of the maximum heap")
                .register(registry);
    }

    /**
     * @param receiver metrics, logs, traces or alertmanager: event requests also wait for the queue
     * @param transport http or grpc
     * @param bytes what the decoded request costs in memory ({@link #cost})
     */
    public Decision admit(String receiver, String transport, long bytes) {
        Reason reason = null;
        String message = null;
        if (shuttingDown) {
            reason = Reason.SHUTTING_DOWN;
            message = "ODIN is shutting down; retry against another instance or later";
        } else if (overMemory()) {
            reason = Reason.MEMORY;
            message = "ODIN is over its memory limit (" + percent(liveHeapRatio()) + " of the heap is live); retry later";
        } else if ("logs".equals(receiver) && queueFill.getAsDouble() >= config.queueLimit()) {
            reason = Reason.QUEUE;
            message = "the event queue is " + percent(queueFill.getAsDouble()) + " full while Loki catches up; retry later";
        } else {
            int n = inFlightRequests.incrementAndGet();
            long b = inFlightBytes.addAndGet(bytes);
            // one request alone always fits, or a body just under the size limit could never get in
            if (n <= config.maxInFlightRequests() && (b <= config.maxInFlightBytes().toBytes() || n == 1)) {
                return new Decision(new Ticket(bytes), null, "");
            }
            inFlightRequests.decrementAndGet();
            inFlightBytes.addAndGet(-bytes);
            reason = Reason.IN_FLIGHT;
            message = "ODIN is handling " + config.maxInFlightRequests() + " requests or "
                    + config.maxInFlightBytes().toMegabytes() + " MB already; retry later";
        }
        refusedTotal.incrementAndGet();
        Reason r = reason;
        refusals.computeIfAbsent(receiver + "/" + transport + "/" + r, k -> Counter.builder("odin.admission.refused")
                .description("Requests refused with a retryable answer by the admission limiter")
                .tag("receiver", receiver).tag("transport", transport).tag("reason", r.name().toLowerCase())
                .register(registry)).increment();
        return new Decision(null, reason, message);
    }

    /**
     * What a decoded request of this many bytes costs in memory while it is handled: what
     * {@link #admit} counts against odin.admission.max-in-flight-bytes.
     */
    public long cost(long decodedBytes, boolean json) {
        return (long) (decodedBytes * (json ? config.jsonCostFactor() : config.protobufCostFactor()));
    }

    /** From now on every request is refused (retryable): ODIN is shutting down. */
    public void shutDown() {
        shuttingDown = true;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** Waits until no admitted request is in flight, or the timeout passes; true when idle. */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlightRequests.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Live heap over its limit, and the heap now (an upper bound of live data) too. */
    public boolean overMemory() {
        long limit = (long) (heap.max() * config.heapLimit());
        return heap.usedAfterGc() > limit && heap.usedNow() > limit;
    }

    public double liveHeapRatio() {
        return heap.max() <= 0 ? 0 : (double) heap.usedAfterGc() / heap.max();
    }

    public boolean queueOverLimit() {
        return queueFill.getAsDouble() >= config.queueLimit();
    }

    public int inFlightRequests() {
        return inFlightRequests.get();
    }

    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    public long refusedTotal() {
        return refusedTotal.get();
    }

    public long retryAfterSeconds() {
        return Math.max(1, config.retryAfter().toSeconds());
    }

    public long retryAfterMillis() {
        return config.retryAfter().toMillis();
    }

    private static String percent(double f) {
        return Math.round(f * 100) + "%";
    }
}
