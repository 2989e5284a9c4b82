package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** A misspelt ODIN_* variable or odin.* property is named, with the nearest setting ODIN knows. */
class UnknownSettingsTest {

    private static MockEnvironment environment(Map<String, Object> variables, Map<String, Object> properties) {
        MockEnvironment env = new MockEnvironment();
        env.getPropertySources().addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        env.getPropertySources().addLast(new MapPropertySource("commandLineArgs", properties));
        env.getPropertySources().addLast(new MapPropertySource(
                "Config resource 'class path resource [application.yaml]' via location 'optional:classpath:/'",
                Map.of("odin.routes.include", "classpath:routes/*.yaml")));
        return env;
    }

    private static java.util.List<String> warnings(Map<String, Object> variables, Map<String, Object> properties) {
        return StartupChecks.unknownSettings(environment(variables, properties), UnknownSettingsTest.class.getClassLoader());
    }

    @Test
    void aMisspeltVariableIsNamedWithTheNearestKnownOne() {
        assertThat(warnings(Map.of("ODIN_METRICS_SERIESEXPRY", "5m", "HOME", "/root"), Map.of()))
                .containsExactly("environment variable ODIN_METRICS_SERIESEXPRY is not an ODIN setting and is"
                        + " ignored; did you mean ODIN_METRICS_SERIESEXPIRY (odin.metrics.series-expiry)?");
    }

    @Test
    void knownVariablesInEveryFormSpringBootBindsAreNotWarnedAbout() {
        assertThat(warnings(Map.of("ODIN_METRICS_SERIESEXPIRY", "5m", "ODIN_METRICS_SERIES_EXPIRY", "5m",
                "ODIN_DATADIR", "/tmp", "ODIN_ROUTES_INCLUDE", "file:/x/*.yaml",
                "ODIN_ALERTING_CHANNELS_0_URL", "http://x", "ODIN_LOKI_STREAMLABELS_1", "a"), Map.of())).isEmpty();
    }

    @Test
    void theLaunchersOwnVariablesAreNotSettingsToWarnAbout() {
        // bin/odin reads these before the JVM starts, and exports what it reads to the JVM's environment
        assertThat(warnings(Map.of("ODIN_JAR", "target/odin.jar", "ODIN_CDS_DIR", "/tmp/cds", "ODIN_CDS", "on",
                "ODIN_JAVA_OPTS", "-Xmx512m", "ODIN_JARS", "x"), Map.of()))
                .singleElement().asString().startsWith("environment variable ODIN_JARS is not an ODIN setting");
    }

    @Test
    void aMisspeltPropertyIsNamedWithTheNearestKnownOne() {
        assertThat(warnings(Map.of(), Map.of("odin.otlp.grcp.port", "4317", "odin.data-dir", "/tmp",
                "odin.alerting.channels[0].url", "http://x", "server.port", "1")))
                .containsExactly("property odin.otlp.grcp.port (commandLineArgs) is not an ODIN setting and is"
                        + " ignored; did you mean odin.otlp.grpc.port (ODIN_OTLP_GRPC_PORT)?");
    }

    @Test
    void everyVariableTheConfigurationDocsNameIsKnown() throws Exception {
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs/configuration.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(ODIN_[A-Z0-9_]+)`").matcher(docs);
        // the known keys as at start-up: the metadata and the embedded application.yaml
        java.util.List<String> embedded = new java.util.ArrayList<>();
        for (var source : new org.springframework.boot.env.YamlPropertySourceLoader().load("application.yaml",
                new org.springframework.core.io.ClassPathResource("application.yaml"))) {
            embedded.addAll(java.util.List.of(
                    ((org.springframework.core.env.EnumerablePropertySource<?>) source).getPropertyNames()));
        }
        Settings settings = Settings.load(getClass().getClassLoader(), embedded);
        java.util.List<String> named = new java.util.ArrayList<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).hasSizeGreaterThan(50);
        // a documented list or map variable (ODIN_LOKI_DROP_0) ends in _ or an index
        assertThat(named).filteredOn(v -> !settings.knowsEnv(v.endsWith("_") ? v + "0" : v))
                .filteredOn(v -> !v.equals("ODIN_METRICS_SERIESEXPRY")).isEmpty();
    }

    @Test
    void environmentVariableNamesFollowSpringBootsRelaxedBinding() {
        assertThat(Settings.env("odin.otlp.grpc.max-message-size")).isEqualTo("ODIN_OTLP_GRPC_MAXMESSAGESIZE");
        assertThat(Settings.named("odin.data-dir")).isEqualTo("odin.data-dir (ODIN_DATADIR)");
        assertThat(Settings.distance("kitten", "sitting")).isEqualTo(3);
    }
}
