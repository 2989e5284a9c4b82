package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused start, as an operator sees it: the process exits non-zero, and its output holds one
 * line saying why and which setting to change, and no stack trace.
 */
class StartupRefusalIT {

    private static List<String> refusalLines(String output) {
        return output.lines().filter(l -> l.contains("ODIN refuses to start")).toList();
    }

    private static void assertNoStackTrace(String output) {
        assertThat(output.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")))
                .as(output).isEmpty();
    }

    @Test
    void aTakenGrpcPortStopsTheStartWithOneLineAndAMisspeltVariableIsNamed(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                OdinProcess odin = OdinProcess.launch(dir.resolve("data"), dir,
                        Map.of("ODIN_METRICS_SERIESEXPRY", "5m"), "--odin.otlp.grpc.port=" + taken.getLocalPort())) {
            int exit = odin.awaitExit(Duration.ofSeconds(150));
            String output = odin.output();
            assertThat(exit).as(output).isNotIn(0, -1);
            assertThat(refusalLines(output)).as(output).containsExactly("ODIN refuses to start: the OTLP/gRPC port "
                    + taken.getLocalPort() + " cannot be bound on 127.0.0.1 (it is in use by another process): free it"
                    + " or set odin.otlp.grpc.port (ODIN_OTLP_GRPC_PORT) to another port");
            assertNoStackTrace(output);
            assertThat(output.lines().filter(l -> l.contains(" WARN ") && l.contains("ODIN_METRICS_SERIESEXPRY")))
                    .singleElement().asString().endsWith("environment variable ODIN_METRICS_SERIESEXPRY is not an"
                            + " ODIN setting and is ignored; did you mean ODIN_METRICS_SERIESEXPIRY"
                            + " (odin.metrics.series-expiry)?");
        }
    }

    @Test
    void anUnusableDataDirStopsTheStartWithOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");
        try (OdinProcess odin = OdinProcess.launch(file, dir, Map.of())) {
            int exit = odin.awaitExit(Duration.ofSeconds(120));
            String output = odin.output();
            assertThat(exit).as(output).isNotIn(0, -1);
            assertThat(refusalLines(output)).as(output).containsExactly("ODIN refuses to start: odin.data-dir"
                    + " (ODIN_DATADIR) " + file + " is not a directory: set odin.data-dir (ODIN_DATADIR) to a directory"
                    + " ODIN may write to");
            assertNoStackTrace(output);
        }
    }
}
