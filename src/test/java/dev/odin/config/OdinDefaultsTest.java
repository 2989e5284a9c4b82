package dev.odin.config;

import dev.odin.exporter.loki.LokiProperties;
import dev.odin.probes.ProbeProperties;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.util.TimeUtils;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

/**
 * Every odin.* default is written once, in its typed properties class: application.yaml and the
 * routes carry none, and the placeholders they use resolve to the Java default unless something
 * else sets the key.
 */
class OdinDefaultsTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(odin\\.[^}]*)}}");

    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        ConfigurationPropertySources.attach(env);
        new OdinDefaults().postProcessEnvironment(env, new SpringApplication(OdinDefaultsTest.class));
        return env;
    }

    @Test
    void theEmbeddedApplicationYamlSetsNoOdinKey() throws IOException {
        List<String> odinKeys = new ArrayList<>();
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yaml",
                new ClassPathResource("application.yaml"))) {
            for (String name : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
                if (name.startsWith("odin.")) {
                    odinKeys.add(name);
                }
            }
        }
        assertThat(odinKeys).as("odin.* keys in application.yaml: their default belongs in the typed"
                + " properties class").isEmpty();
    }

    @Test
    void routePlaceholdersCarryNoDefaultAndResolveToTheJavaDefault() throws IOException {
        StandardEnvironment env = environment(Map.of());
        List<String> problems = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(f));
                while (m.find()) {
                    String key = m.group(1);
                    seen.add(key);
                    if (key.contains(":")) {
                        problems.add(f + ": {{" + key + "}} repeats a default; write it once, in the typed class");
                    } else if (env.getProperty(key) == null) {
                        problems.add(f + ": {{" + key + "}} is no odin.* setting with a default");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(seen).contains("odin.probes.host.period");
    }

    @Test
    void theJavaDefaultIsWhatPlaceholdersSeeAndAnEnvironmentVariableWins() {
        StandardEnvironment env = environment(Map.of("ODIN_PROBES_GPU_PERIOD", "7s", "ODIN_BINDADDRESS", "0.0.0.0"));
        assertThat(env.getProperty("odin.probes.host.period")).isEqualTo("15000ms");
        assertThat(TimeUtils.toMilliSeconds(env.getProperty("odin.probes.host.period"))).isEqualTo(15_000);
        assertThat(env.getProperty("odin.probes.gpu.period")).isEqualTo("7s");
        assertThat(env.getProperty("odin.bind-address")).isEqualTo("0.0.0.0");
        assertThat(env.getProperty("odin.data-dir")).isEqualTo(new OdinProperties().getDataDir());
        assertThat(env.getProperty("odin.routes.include")).isEqualTo("classpath:routes/*.yaml");
        assertThat(env.resolvePlaceholders("${odin.claude.transcripts-dir}"))
                .isEqualTo(System.getProperty("user.home") + "/.claude/projects");
        assertThat(Binder.get(env).bind("odin.probes", ProbeProperties.class).get().getGpu().getPeriod())
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void everyScalarDefaultReadsBackAsTheSameValue() {
        StandardEnvironment env = environment(Map.of());
        Binder binder = Binder.get(env);
        List<String> problems = new ArrayList<>();
        OdinDefaults.defaults(getClass().getClassLoader()).forEach((key, value) -> {
            String text = OdinDefaults.text(value);
            if (text == null) {
                return;
            }
            Object back = binder.bind(key, value.getClass()).orElse(null);
            // a default may name a system property (${user.home}): the environment resolves it
            Object expected = value instanceof String s ? env.resolvePlaceholders(s) : value;
            if (!expected.equals(back)) {
                problems.add(key + ": default " + value + " written as " + text + " binds back as " + back);
            }
        });
        assertThat(problems).isEmpty();
        assertThat(OdinDefaults.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationStyle.detectAndParse(OdinDefaults.text(Duration.ofHours(1)))).isEqualTo(Duration.ofHours(1));
        assertThat(OdinDefaults.text(DataSize.ofKilobytes(4))).isEqualTo("4096B");
    }

    @Test
    void theDefaultsCoverTheNestedClassesAndTheRecords() {
        Map<String, Object> defaults = OdinDefaults.defaults(getClass().getClassLoader());
        assertThat(defaults).containsEntry("odin.otlp.grpc.port", 4317)
                .containsEntry("odin.otlp.json.max-nesting-depth", 128)
                .containsEntry("odin.probes.host.enabled", true)
                .containsEntry("odin.probes.gpu.period", Duration.ofSeconds(5))
                .containsEntry("odin.admission.retry-after", Duration.ofSeconds(5))
                .containsEntry("odin.loki.format", LokiProperties.Format.PROTOBUF)
                .containsEntry("odin.alerting.retry.max-attempts", 12);
    }

    @Test
    void onlyOdinsOwnMetadataIsParsedAtStart() throws IOException {
        ClassLoader loader = getClass().getClassLoader();
        // Spring Boot's and the Camel starters' files are on the test class path too
        assertThat(java.util.Collections.list(loader.getResources(OdinDefaults.METADATA))).hasSizeGreaterThan(1);
        List<com.fasterxml.jackson.databind.JsonNode> roots = OdinDefaults.metadata(loader);
        assertThat(roots).hasSize(1);
        assertThat(roots.get(0).path("properties").findValuesAsText("name"))
                .anyMatch(name -> name.startsWith("odin."))
                .noneMatch(name -> name.startsWith("spring.") || name.startsWith("camel."));
    }
}
