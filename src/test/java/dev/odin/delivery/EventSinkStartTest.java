package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.odin.OdinApplication;
import dev.odin.signal.RefusedStartException;
import dev.odin.testing.RouteRecipes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

/** Sending to the configured Loki without one refuses the start, naming the route: never a silent loss. */
class EventSinkStartTest {

    @Test
    void odinLokiDefaultWithoutALokiUrlRefusesTheStartNamingTheRoute(@TempDir Path dir) {
        Path routes = RouteRecipes.apply(dir.resolve("routes"), "events-to-loki-and-files");
        Throwable t = catchThrowable(() -> new SpringApplicationBuilder(OdinApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--odin.otlp.grpc.port=0",
                "--odin.data-dir=" + dir.resolve("data"), "--odin.probes.host.enabled=false",
                "--odin.probes.gpu.enabled=false", "--odin.probes.power.enabled=false",
                "--odin.probes.process.enabled=false", "--odin.claude.transcripts-enabled=false",
                "--odin.routes.include=file:" + routes.toAbsolutePath() + "/*.yaml").close());
        assertThat(t).isNotNull();
        Throwable root = NestedExceptionUtils.getMostSpecificCause(t);
        assertThat(root).isInstanceOf(RefusedStartException.class);
        assertThat(root.getMessage()).isEqualTo("route event-sink sends events to odin-loki:default, but"
                + " odin.loki.url (ODIN_LOKI_URL) is empty: set it, or send the events to odin-files:events");
    }
}
