package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.odin.OdinApplication;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.mock.env.MockEnvironment;

/**
 * Each configuration ODIN cannot run with stops the start with one line naming the setting to
 * change and its environment variable (the process-level exit code: {@link StartupRefusalIT}).
 */
class StartupRefusalsTest {

    private static Throwable start(Path dir, String... extra) {
        String[] base = {"--server.port=0", "--management.server.port=0", "--odin.otlp.grpc.port=0",
                "--odin.data-dir=" + dir, "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false",
                "--odin.claude.transcripts-enabled=false"};
        // an extra --key=value replaces the base one (a key given twice would bind as "a,b")
        String[] args = Stream.concat(Stream.of(base).filter(b -> Stream.of(extra)
                .noneMatch(e -> e.startsWith(b.substring(0, b.indexOf('=') + 1)))), Stream.of(extra))
                .toArray(String[]::new);
        return catchThrowable(() -> new SpringApplicationBuilder(OdinApplication.class).run(args).close());
    }

    private static String refusal(Throwable t) {
        assertThat(t).isNotNull();
        Throwable root = NestedExceptionUtils.getMostSpecificCause(t);
        assertThat(root).isInstanceOf(RefusedStartException.class);
        FailureAnalysis analysis = new RefusedStartAnalyzer().analyze(t);
        assertThat(analysis.getDescription()).doesNotContain("\n");
        return root.getMessage();
    }

    @Test
    void aDataDirThatIsAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "x");
        assertThat(refusal(start(file))).isEqualTo("odin.data-dir (ODIN_DATADIR) " + file + " is not a directory:"
                + " set odin.data-dir (ODIN_DATADIR) to a directory ODIN may write to");
    }

    @Test
    void aDataDirThatCannotBeCreated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThat(refusal(start(file.resolve("data")))).startsWith("odin.data-dir (ODIN_DATADIR) "
                + file.resolve("data") + " is not usable (").endsWith("): set odin.data-dir (ODIN_DATADIR) to a"
                + " directory ODIN may create and write to");
    }

    @Test
    void aTranscriptsDirUnderAnUnknownHome(@TempDir Path dir) {
        // what ${user.home}/.claude/projects becomes for an account without a home (user.home "?")
        assertThat(refusal(start(dir, "--odin.claude.transcripts-enabled=true",
                "--odin.claude.transcripts-dir=?/.claude/projects"))).isEqualTo("odin.claude.transcripts-dir"
                + " (ODIN_CLAUDE_TRANSCRIPTSDIR) \"?/.claude/projects\" has a '?' or '#' (the account has no home"
                + " directory): set odin.claude.transcripts-dir (ODIN_CLAUDE_TRANSCRIPTSDIR) to the directory Claude"
                + " Code writes transcripts under, or odin.claude.transcripts-enabled"
                + " (ODIN_CLAUDE_TRANSCRIPTSENABLED) to false");
        // off, the path is never used
        assertThat(start(dir, "--odin.claude.transcripts-dir=?/.claude/projects")).isNull();
    }

    @Test
    void aMissingRoutesDirectory(@TempDir Path dir) {
        String include = "file:" + dir.resolve("nowhere") + "/*.yaml";
        assertThat(refusal(start(dir, "--odin.routes.include=" + include))).isEqualTo("odin.routes.include"
                + " (ODIN_ROUTES_INCLUDE) " + include + " matches no route file: set odin.routes.include"
                + " (ODIN_ROUTES_INCLUDE) to where the route files are, e.g. file:/etc/odin/routes/*.yaml (all of"
                + " them: the ones given replace the built-in set)");
    }

    @Test
    void aRouteFileThatIsNotYaml(@TempDir Path dir) throws Exception {
        Path routes = copyRoutes(dir);
        Files.writeString(routes.resolve("otlp-traces.yaml"), "- route:\n    id: x\n    from: [oops\n");
        assertThat(refusal(start(dir, "--odin.routes.include=file:" + routes + "/*.yaml")))
                .startsWith("route file file:" + routes.resolve("otlp-traces.yaml"))
                .contains("(odin.routes.include (ODIN_ROUTES_INCLUDE)) is not valid YAML at line 4, column 1:");
    }

    @Test
    void aRouteFileCamelCannotLoad(@TempDir Path dir) throws Exception {
        Path routes = copyRoutes(dir);
        Files.writeString(routes.resolve("otlp-traces.yaml"), Files.readString(routes.resolve("otlp-traces.yaml"))
                .replace("id: otlp-traces\n", "id: otlp-traces\n    no-such-option: 1\n"));
        Throwable t = start(dir, "--odin.routes.include=file:" + routes + "/*.yaml");
        FailureAnalysis analysis = new RouteLoadingAnalyzer().analyze(t);
        assertThat(analysis).as("%s", t).isNotNull();
        assertThat(analysis.getDescription()).doesNotContain("\n").startsWith("ODIN refuses to start: the routes of"
                + " odin.routes.include (ODIN_ROUTES_INCLUDE) cannot be loaded: ");
    }

    @Test
    void aRouteSetWithoutThePipelinesTheReceiversNeed(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.copy(Path.of("routes/otlp-traces.yaml"), routes.resolve("otlp-traces.yaml"));
        String include = "file:" + routes + "/*.yaml";
        assertThat(refusal(start(dir, "--odin.routes.include=" + include))).isEqualTo("the routes of"
                + " odin.routes.include (ODIN_ROUTES_INCLUDE) " + include + " lack the OTLP/HTTP metrics receiver"
                + " (a started route from platform-http:/v1/metrics), the OTLP/HTTP logs receiver (a started route"
                + " from platform-http:/v1/logs), the OTLP/HTTP traces receiver (a started route from"
                + " platform-http:/v1/traces), the metrics pipeline (a started route from direct:otlp-metrics), the"
                + " logs pipeline (a started route from direct:otlp-logs), the event sink (a started route from"
                + " direct:event-sink): copy every file of routes/ there, not only the edited ones");
    }

    @Test
    void anHttpPortInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Throwable t = start(dir, "--server.port=" + port);
            MockEnvironment env = new MockEnvironment().withProperty("server.port", Integer.toString(port))
                    .withProperty("management.server.port", "0");
            FailureAnalysis analysis = new PortInUseAnalyzer(env).analyze(t);
            assertThat(analysis).as("%s", t).isNotNull();
            assertThat(analysis.getDescription()).isEqualTo("ODIN refuses to start: the OTLP/HTTP port " + port
                    + " cannot be bound on 127.0.0.1 (it is in use by another process): free it or set server.port"
                    + " (SERVER_PORT) to another port");
        }
    }

    @Test
    void theManagementPortInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Throwable t = start(dir, "--management.server.port=" + port);
            MockEnvironment env = new MockEnvironment().withProperty("server.port", "0")
                    .withProperty("management.server.port", Integer.toString(port));
            FailureAnalysis analysis = new PortInUseAnalyzer(env).analyze(t);
            assertThat(analysis).as("%s", t).isNotNull();
            assertThat(analysis.getDescription()).isEqualTo("ODIN refuses to start: the management port (/metrics,"
                    + " /health, /ready) " + port + " cannot be bound on 127.0.0.1 (it is in use by another process):"
                    + " free it or set management.server.port (MANAGEMENT_SERVER_PORT) to another port");
        }
    }

    @Test
    void aGrpcPortInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(refusal(start(dir, "--odin.otlp.grpc.port=" + port))).isEqualTo("the OTLP/gRPC port " + port
                    + " cannot be bound on 127.0.0.1 (it is in use by another process): free it or set"
                    + " odin.otlp.grpc.port (ODIN_OTLP_GRPC_PORT) to another port");
        }
    }

    @Test
    void aCollectorCompatPortInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Throwable t = start(dir, "--odin.collector-compat.enabled=true", "--odin.collector-compat.metrics-port=0",
                    "--odin.collector-compat.health-port=" + port);
            MockEnvironment env = new MockEnvironment().withProperty("odin.collector-compat.metrics-port", "0")
                    .withProperty("odin.collector-compat.health-port", Integer.toString(port));
            FailureAnalysis analysis = new CompatPortAnalyzer(env).analyze(t);
            assertThat(analysis).as("%s", t).isNotNull();
            assertThat(analysis.getDescription()).isEqualTo("ODIN refuses to start: the Collector-compatible health"
                    + " port " + port + " cannot be bound on 127.0.0.1 (it is in use by another process): free it or"
                    + " set odin.collector-compat.health-port (ODIN_COLLECTORCOMPAT_HEALTHPORT) to another port");
        }
    }

    @Test
    void collectorCompatPortsThatClash(@TempDir Path dir) throws Exception {
        assertThat(refusal(start(dir, "--odin.collector-compat.enabled=true", "--odin.collector-compat.metrics-port=18889",
                "--odin.collector-compat.health-port=18889"))).isEqualTo("odin.collector-compat.metrics-port"
                        + " (ODIN_COLLECTORCOMPAT_METRICSPORT) and odin.collector-compat.health-port"
                        + " (ODIN_COLLECTORCOMPAT_HEALTHPORT) are both 18889: give each its own port");
    }

    @Test
    void collectorCompatWithTheManagementEndpointsOnTheOtlpPort(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(refusal(start(dir, "--odin.collector-compat.enabled=true", "--odin.collector-compat.metrics-port=0",
                "--odin.collector-compat.health-port=0", "--server.port=" + port, "--management.server.port=" + port)))
                .isEqualTo("odin.collector-compat.enabled (ODIN_COLLECTORCOMPAT_ENABLED) needs the management server"
                        + " on its own port, but management.server.port (MANAGEMENT_SERVER_PORT) is the OTLP/HTTP port "
                        + port + ": set it to a port of its own (8080)");
    }

    @Test
    void collectorCompatBesideATlsManagementPort(@TempDir Path dir) throws Exception {
        dev.odin.testing.Certificates pki = new dev.odin.testing.Certificates(dir.resolve("pki"), "odin-test-ca");
        dev.odin.testing.Certificates.Pem server = pki.server("odin-server");
        assertThat(refusal(start(dir.resolve("data"), "--odin.collector-compat.enabled=true",
                "--odin.collector-compat.metrics-port=0", "--odin.collector-compat.health-port=0",
                "--odin.tls.cert-file=" + server.cert(), "--odin.tls.key-file=" + server.key())))
                .isEqualTo("odin.collector-compat.enabled (ODIN_COLLECTORCOMPAT_ENABLED) serves plain HTTP on 0 and 0,"
                        + " as the Collector did, but the management port is on TLS (odin.tls.management): turn one of"
                        + " them off");
    }

    private static Path copyRoutes(Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        return routes;
    }
}
