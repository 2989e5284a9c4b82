package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RouteSetCheck requires the OTLP/gRPC receiver of each signal received over HTTP and piped. */
class GrpcReceiverRouteSetTest {

    private static Set<String> consumed(String... uris) {
        Set<String> s = new HashSet<>();
        for (String u : uris) {
            s.add(RouteSetCheck.plain(u));
        }
        return s;
    }

    private static final Set<String> DEFAULTS = consumed("platform-http:/v1/metrics", "platform-http:/v1/logs",
            "platform-http:/v1/traces", "direct:otlp-metrics", "direct:otlp-logs", "direct:otlp-traces",
            "otlp-grpc:metrics", "otlp-grpc:logs", "otlp-grpc:traces", "direct:event-sink");

    @Test
    void everySignalWithItsHttpReceiverAndPipelineNeedsItsGrpcReceiver() {
        assertThat(RouteSetCheck.needed(false, true, DEFAULTS)).containsEntry("otlp-grpc:metrics",
                "the OTLP/gRPC metrics receiver").containsEntry("otlp-grpc:logs", "the OTLP/gRPC logs receiver")
                .containsEntry("otlp-grpc:traces", "the OTLP/gRPC traces receiver");
        Set<String> noTracesPipeline = new HashSet<>(DEFAULTS);
        noTracesPipeline.remove("direct:otlp-traces");
        assertThat(RouteSetCheck.needed(false, true, noTracesPipeline)).doesNotContainKey("otlp-grpc:traces")
                .containsKey("direct:otlp-traces").containsKey("otlp-grpc:logs");
    }

    @Test
    void noGrpcReceiverIsNeededWhileGrpcIsOff() {
        assertThat(RouteSetCheck.needed(false, false, DEFAULTS).keySet()).noneMatch(k -> k.startsWith("otlp-grpc:"));
    }

    @Test
    void theGrpcEndpointIsMatchedHoweverItIsSpelled() {
        assertThat(RouteSetCheck.plain("otlp-grpc://traces")).isEqualTo(RouteSetCheck.plain("otlp-grpc:traces"));
    }
}
