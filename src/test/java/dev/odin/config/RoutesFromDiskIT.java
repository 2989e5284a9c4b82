package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Operators run edited routes by pointing odin.routes.include at a directory: the routes there
 * replace the ones the jar carries.
 */
class RoutesFromDiskIT extends OdinIntegrationTest {

    private static final Path DIR = copyRoutesWithAnEdit();

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + DIR.toAbsolutePath() + "/*.yaml");
    }

    private static Path copyRoutesWithAnEdit() {
        try {
            Path dir = Files.createTempDirectory("odin-routes");
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String yaml = Files.readString(f).replace("id: otlp-traces\n", "id: otlp-traces-edited\n");
                    Files.writeString(dir.resolve(f.getFileName()), yaml);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Autowired
    private CamelContext camel;

    @Test
    void editedRoutesReplaceTheBuiltInOnes() throws Exception {
        assertThat(camel.getRoute("otlp-traces-edited")).isNotNull();
        assertThat(camel.getRoute("otlp-traces")).isNull();
        assertThat(camel.getRoute("otlp-metrics")).isNotNull();
        assertThat(post("/v1/traces", "application/json", "{}".getBytes()).statusCode()).isEqualTo(200);
    }
}
