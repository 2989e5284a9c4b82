package dev.odin.lifecycle;

import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * ODIN's stop on SIGTERM, in the order that loses nothing:
 * <ol>
 * <li>readiness turns REFUSING_TRAFFIC (Spring Boot does this first when the context closes), so
 * /ready answers 503; the receivers keep taking requests for {@code drain-delay} while
 * Kubernetes takes the pod out of its Services;</li>
 * <li>the receivers stop taking requests (gRPC stops accepting calls, HTTP requests are answered
 * 503 with Retry-After) and those in flight finish, within {@code request-timeout};</li>
 * <li>the event queue is sent to Loki until it is empty or {@code flush-timeout} passes; the rest
 * stays on disk for the next start;</li>
 * <li>then Camel's routes and the web servers stop (this lifecycle's phase is above theirs).</li>
 * </ol>
 */
public final class GracefulShutdown implements SmartLifecycle, ApplicationListener<AvailabilityChangeEvent<?>> {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final ShutdownProperties config;
    private final AdmissionControl admission;
    private final ObjectProvider<OtlpGrpcServer> grpc;
    private final ObjectProvider<LokiSinks> loki;
    private volatile boolean running;
    private volatile boolean drained;

    public GracefulShutdown(ShutdownProperties config, AdmissionControl admission, ObjectProvider<OtlpGrpcServer> grpc,
            ObjectProvider<LokiSinks> loki) {
        this.config = config;
        this.admission = admission;
        this.grpc = grpc;
        this.loki = loki;
    }

    /** Readiness went to REFUSING_TRAFFIC: the context is closing; hold it for the drain delay. */
    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
        if (event.getState() != ReadinessState.REFUSING_TRAFFIC || !running || drained) {
            return;
        }
        drained = true;
        if (!config.drainDelay().isZero()) {
            log.info("Shutting down: /ready answers 503, receivers stay open for {} while traffic moves away",
                    config.drainDelay());
            sleep(config.drainDelay().toMillis());
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        long t0 = System.nanoTime();
        admission.shutDown();
        OtlpGrpcServer server = grpc.getIfAvailable();
        if (server != null) {
            server.stopAccepting();
        }
        boolean idle;
        try {
            idle = admission.awaitIdle(config.requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            log.warn("Shutting down: {} request(s) still in flight after {}", admission.inFlightRequests(),
                    config.requestTimeout());
        }
        LokiSinks sinks = loki.getIfAvailable();
        for (LokiSink sink : sinks == null ? java.util.List.<LokiSink>of() : sinks.all()) {
            String which = sink.name().equals("default") ? "" : " (odin-loki:" + sink.name() + ")";
            try {
                boolean empty = sink.flush(config.flushTimeout());
                log.info("Shutting down: event queue{} {}", which, empty ? "delivered to Loki"
                        : sink.queue().pendingRecords() + " record(s) kept on disk for the next start");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                log.warn("Shutting down: the event queue{} could not be flushed ({}); it stays on disk", which,
                        e.toString());
            }
        }
        log.info("Shutting down: receivers closed and queue handled in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped before everything else: Camel's context and the web servers sit in lower phases. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
