package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;

import dev.odin.testing.LogCapture;
import dev.odin.testing.OdinIntegrationTest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A failure inside ODIN (here: the traces step throws, with the request's content in its message,
 * as Camel's own exceptions do) answers a generic message with an error id over HTTP and gRPC;
 * the detail is in the log once under that id, without the body.
 */
class InternalErrorIT extends OdinIntegrationTest {

    private static final String MARKER = "span-name-that-must-stay-private";

    @MockitoBean(name = "otlpTraces")
    OtlpTracesIntake failingTraces;

    @BeforeEach
    void failing() throws Exception {
        doThrow(new IllegalStateException("cannot convert " + MARKER + " (secret detail)"))
                .when(failingTraces).accept(any());
    }

    @Test
    void httpAnswersAnErrorIdAndTheLogHasTheDetailOnce() throws Exception {
        String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"" + MARKER + "\"}]}]}]}";
        try (LogCapture logs = LogCapture.root()) {
            HttpResponse<byte[]> r = post("/v1/traces", "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).isEqualTo(500);
            String answer = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(answer).contains("\"code\":13").contains("internal error in ODIN (error id ")
                    .doesNotContain(MARKER).doesNotContain("secret").doesNotContain("IllegalStateException");
            String id = answer.replaceAll(".*error id ([0-9a-f]{12}).*", "$1");
            assertThat(id).hasSize(12);
            // once, whatever the level, and by ODIN alone (Camel does not log it as well)
            assertThat(logs.lines()).filteredOn(l -> l.contains(MARKER) || l.contains("secret detail"))
                    .singleElement().asString()
                    .contains("OTLP/HTTP traces request failed inside ODIN (error id " + id + ")")
                    .contains("java.lang.IllegalStateException: cannot convert")
                    .doesNotContain(body);
        }
        assertThat(scrape().value("odin_otlp_requests_total{outcome=\"error\",signal=\"traces\",transport=\"http\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void grpcAnswersInternalWithAnErrorId() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
                    ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                            .setName(MARKER)))).build();
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, TraceServiceGrpc.getExportMethod(),
                    CallOptions.DEFAULT, request))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INTERNAL);
                        assertThat(e.getStatus().getDescription()).startsWith("internal error in ODIN (error id ")
                                .doesNotContain(MARKER).doesNotContain("secret");
                    });
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
