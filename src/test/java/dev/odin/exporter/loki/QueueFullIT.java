package dev.odin.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Loki unreachable, a small queue that may not drop: once it is full, OTLP log requests are
 * refused with "retry later" (HTTP 503 with Retry-After, gRPC UNAVAILABLE) rather than accepted
 * and lost; metrics are not affected.
 */
@TestPropertySource(properties = {"odin.loki.url=http://127.0.0.1:9", "odin.loki.queue-max-size=600KB",
    "odin.loki.drop-oldest-when-full=false", "odin.loki.min-backoff=1h",
    // the admission limiter would refuse first, at 90%; this is the queue's own, last refusal
    "odin.admission.queue-limit=1"})
class QueueFullIT extends OdinIntegrationTest {

    private static ExportLogsServiceRequest events(int n) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1 + i).setBody(Otlp.value("x".repeat(200))));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "full"))).addScopeLogs(sl))
                .build();
    }

    @Test
    void aFullQueueThatMayNotDropSaysRetryLater() throws Exception {
        byte[] body = events(100).toByteArray(); // about 25 KB
        int accepted = 0;
        HttpResponse<byte[]> r = null;
        for (int i = 0; i < 100; i++) {
            r = post("/v1/logs", "application/x-protobuf", body);
            if (r.statusCode() != 200) {
                break;
            }
            accepted++;
        }
        assertThat(accepted).isBetween(10, 30);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(com.google.rpc.Status.parseFrom(r.body()).getMessage()).contains("retry later");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, LogsServiceGrpc.getExportMethod(),
                    CallOptions.DEFAULT, events(100)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(scrape().value("odin_loki_queue_records")).isEqualTo(accepted * 100.0);
        assertThat(scrape().value("odin_otlp_requests_total{outcome=\"refused\",signal=\"logs\",transport=\"http\"}"))
                .isEqualTo(1.0);

        // not ready while the queue is full: a load balancer sends OTLP elsewhere; still alive
        HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + managementPort + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("NOT_READY").contains("the Loki event queue is full");
        HttpResponse<String> healthz = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + managementPort + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(healthz.statusCode()).isEqualTo(200);
    }
}
