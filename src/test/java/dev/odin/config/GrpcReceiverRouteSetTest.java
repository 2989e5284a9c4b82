package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.catchThrowable;

import dev.odin.OdinApplication;
import dev.odin.testing.RouteRecipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

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

    @Test
    void aRouteSetWithoutTheGrpcTracesReceiverIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path routes = RouteRecipes.apply(dir.resolve("routes"));
        Path receivers = routes.resolve("otlp-receivers.yaml");
        String yaml = Files.readString(receivers);
        int at = yaml.indexOf("- route:\n    id: otlp-grpc-traces\n");
        assertThat(at).isPositive();
        int next = yaml.indexOf("\n- ", at + 1);
        Files.writeString(receivers, yaml.substring(0, at) + (next < 0 ? "" : yaml.substring(next + 1)));
        String include = "file:" + routes + "/*.yaml";
        Throwable t = catchThrowable(() -> new SpringApplicationBuilder(OdinApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--odin.otlp.grpc.port=0", "--odin.data-dir=" + dir,
                "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false",
                "--odin.claude.transcripts-enabled=false", "--odin.routes.include=" + include).close());
        Throwable root = NestedExceptionUtils.getMostSpecificCause(t);
        assertThat(root).isInstanceOf(RefusedStartException.class);
        assertThat(root.getMessage()).isEqualTo("the routes of odin.routes.include (ODIN_ROUTES_INCLUDE) " + include
                + " lack the OTLP/gRPC traces receiver (a started route from otlp-grpc:traces): copy every file of"
                + " routes/ there, not only the edited ones");
    }
}
