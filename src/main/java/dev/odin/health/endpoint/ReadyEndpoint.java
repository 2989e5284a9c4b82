package dev.odin.health.endpoint;

import dev.odin.delivery.DiskQueue;
import dev.odin.health.DataDirGuard;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;

/**
 * {@code GET /ready} on the management port: 200 when ODIN takes traffic (the application is
 * ready, Camel's routes run, the gRPC receiver is bound, the event sink is set up and its queue
 * can take more), 503 otherwise with the reasons. Reports the event backlog waiting for Loki, so
 * an operator sees a growing queue before it becomes a problem. Probes never make it fail:
 * missing or failing hardware is no reason to stop sending telemetry here.
 */
@WebEndpoint(id = "ready")
public class ReadyEndpoint {

    private final ApplicationAvailability availability;
    private final CamelContext camel;
    private final ObjectProvider<LokiSinks> loki;
    private final ObjectProvider<OtlpGrpcServer> grpc;
    private final ObjectProvider<AdmissionControl> admission;
    private final ObjectProvider<DataDirGuard> dataDir;

    public ReadyEndpoint(ApplicationAvailability availability, CamelContext camel, ObjectProvider<LokiSinks> loki,
            ObjectProvider<OtlpGrpcServer> grpc, ObjectProvider<AdmissionControl> admission,
            ObjectProvider<DataDirGuard> dataDir) {
        this.admission = admission;
        this.dataDir = dataDir;
        this.availability = availability;
        this.camel = camel;
        this.loki = loki;
        this.grpc = grpc;
    }

    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> ready() throws IOException {
        List<String> reasons = new ArrayList<>();
        ReadinessState readiness = availability.getReadinessState();
        if (readiness != ReadinessState.ACCEPTING_TRAFFIC) {
            reasons.add("the application is " + readiness + (camel.isStopping() ? " (shutting down)" : ""));
        }
        if (!camel.isStarted()) {
            reasons.add("Camel routes are " + camel.getStatus());
        }
        OtlpGrpcServer server = grpc.getIfAvailable();
        if (server != null && !server.running()) {
            reasons.add("the OTLP gRPC receiver is not bound");
        }
        AdmissionControl limiter = admission.getIfAvailable();
        if (limiter != null && limiter.overMemory()) {
            reasons.add("over the heap limit: " + Math.round(limiter.liveHeapRatio() * 100)
                    + "% of the heap is live, requests are refused until it falls");
        }
        DataDirGuard disk = dataDir.getIfAvailable();
        if (disk != null && !disk.acceptingWrites()) {
            Map<String, String> failing = disk.failures();
            reasons.add("the data dir cannot take new events (" + disk.freeBytes(false) + " bytes free)"
                    + (failing.isEmpty() ? "" : ": " + String.join("; ", failing.values())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        LokiSinks sinks = loki.getIfAvailable();
        for (LokiSink other : sinks == null ? java.util.List.<LokiSink>of() : sinks.all()) {
            if (!other.name().equals("default") && other.queue().full()) {
                reasons.add("the event queue of odin-loki:" + other.name() + " is full");
            }
        }
        LokiSink sink = sinks == null ? null : sinks.defaultSink().orElse(null);
        if (sink != null) {
            DiskQueue q = sink.queue();
            if (q.full()) {
                reasons.add("the Loki event queue is full");
            }
            long oldest = q.oldestEnqueuedMillis();
            Map<String, Object> backlog = new LinkedHashMap<>();
            backlog.put("records", q.pendingRecords());
            backlog.put("bytes", q.pendingBytes());
            backlog.put("oldestSeconds", oldest < 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000);
            backlog.put("lokiRetrying", sink.retrying());
            body.put("lokiBacklog", backlog);
        }
        boolean ready = reasons.isEmpty();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", ready ? "READY" : "NOT_READY");
        if (!ready) {
            answer.put("reasons", reasons);
        }
        answer.put("readiness", readiness.toString());
        answer.put("routes", camel.getStatus().toString());
        answer.putAll(body);
        return new WebEndpointResponse<>(answer, ready ? 200 : 503);
    }
}
