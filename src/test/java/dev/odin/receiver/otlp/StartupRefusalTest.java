package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.odin.OdinApplication;
import dev.odin.config.RefusedStartAnalyzer;
import dev.odin.signal.RefusedStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;

/**
 * ODIN refuses to start with OTLP receivers open to a network without credentials, and says so
 * in one line. The refusal comes before any listener binds, so the non-loopback address here is
 * never actually opened.
 */
class StartupRefusalTest {

    private static Throwable start(Path dir, String... extra) {
        String[] args = new String[extra.length + 4];
        args[0] = "--server.port=0";
        args[1] = "--management.server.port=0";
        args[2] = "--odin.otlp.grpc.port=0";
        args[3] = "--odin.data-dir=" + dir;
        System.arraycopy(extra, 0, args, 4, extra.length);
        return catchThrowable(() -> new SpringApplicationBuilder(OdinApplication.class).run(args).close());
    }

    @Test
    void refusesUnauthenticatedReceiversOnANonLoopbackAddress(@TempDir Path dir) {
        Throwable t = start(dir, "--odin.bind-address=0.0.0.0", "--odin.alerting.webhook.allow-unauthenticated=true");
        Throwable root = NestedExceptionUtils.getMostSpecificCause(t);
        assertThat(root).isInstanceOf(RefusedStartException.class).hasMessage("the OTLP receivers would take data"
                + " from anyone on 0.0.0.0: set odin.auth.tokens-file (ODIN_AUTH_TOKENSFILE), or"
                + " odin.auth.allow-unauthenticated=true (ODIN_AUTH_ALLOWUNAUTHENTICATED) to accept that");
        FailureAnalysis analysis = new RefusedStartAnalyzer().analyze(t);
        assertThat(analysis.getDescription()).startsWith("ODIN refuses to start: the OTLP receivers").doesNotContain("\n");
    }

    @Test
    void refusesATokensFileItCannotRead(@TempDir Path dir) {
        Throwable t = start(dir, "--odin.auth.tokens-file=" + dir.resolve("missing"));
        assertThat(NestedExceptionUtils.getMostSpecificCause(t)).isInstanceOf(RefusedStartException.class)
                .hasMessage("odin.auth.tokens-file " + dir.resolve("missing") + " cannot be read");
    }

    @Test
    void refusesATokensFileThatDoesNotParse(@TempDir Path dir) throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "short\n");
        Throwable t = start(dir, "--odin.auth.tokens-file=" + tokens);
        assertThat(NestedExceptionUtils.getMostSpecificCause(t)).hasMessage("odin.auth.tokens-file " + tokens
                + ": line 1: a token must be at least 16 characters long");
    }

    @Test
    void refusesTlsWithoutAKey(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Throwable t = start(dir, "--odin.tls.cert-file=" + cert);
        assertThat(NestedExceptionUtils.getMostSpecificCause(t)).isInstanceOf(RefusedStartException.class)
                .hasMessage("odin.tls.key-file must be set when odin.tls.cert-file is");
    }
}
