package dev.odin.receiver.otlp;

import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An exporter that retries after a timeout sends the same delta request again: over the real
 * OTLP/HTTP and OTLP/gRPC listeners, three sends of one request count once, each is answered
 * as a full success, and the repeats are counted as duplicates.
 */
class DeltaRetryIT extends OdinIntegrationTest {

    private static final String DUPLICATES = "odin_otlp_discarded_total{reason=\"duplicate\",signal=\"metrics\"}";

    private static ExportMetricsServiceRequest retried(String session) {
        return request(attrs("service.name", "claude-code"), sum("claude_code.cost.usage", "USD", true, DELTA,
                point(attrs("session.id", session, "type", "a"), T0, T0 + 60 * SECOND, 0.75),
                point(attrs("session.id", session, "type", "b"), T0, T0 + 60 * SECOND, 0.25)));
    }

    private double cost(Exposition e, String session) {
        return e.metric("claude_code_cost_usage_USD_total").entrySet().stream()
                .filter(x -> x.getKey().contains("session_id=\"" + session + "\""))
                .mapToDouble(x -> Double.parseDouble(x.getValue())).sum();
    }

    private double duplicates() throws Exception {
        Double v = scrape().value(DUPLICATES);
        return v == null ? 0 : v;
    }

    @Test
    void overHttpARequestSentThreeTimesCountsOnce() throws Exception {
        double before = duplicates();
        byte[] body = retried("retry-http").toByteArray();
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> r = post("/v1/metrics", "application/x-protobuf", body);
            assertThat(r.statusCode()).isEqualTo(200);
            ExportMetricsServiceResponse response = ExportMetricsServiceResponse.parseFrom(r.body());
            assertThat(response.getPartialSuccess().getRejectedDataPoints()).isZero();
        }
        assertThat(cost(scrape(), "retry-http")).isEqualTo(1.0);
        assertThat(duplicates() - before).isEqualTo(4.0);
    }

    @Test
    void overGrpcARequestSentThreeTimesCountsOnce() throws Exception {
        double before = duplicates();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            for (int i = 0; i < 3; i++) {
                ExportMetricsServiceResponse response = MetricsServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).export(retried("retry-grpc"));
                assertThat(response.getPartialSuccess().getRejectedDataPoints()).isZero();
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(cost(scrape(), "retry-grpc")).isEqualTo(1.0);
        assertThat(duplicates() - before).isEqualTo(4.0);
    }
}
