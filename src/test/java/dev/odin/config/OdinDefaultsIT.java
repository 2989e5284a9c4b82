package dev.odin.config;

import dev.odin.probes.ProbeProperties;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.timer.TimerEndpoint;
import org.apache.camel.util.TimeUtils;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * In the running application, Camel's placeholders resolve odin.* keys that nothing sets to the
 * typed classes' defaults (application.yaml and the routes carry none).
 */
class OdinDefaultsIT extends OdinIntegrationTest {

    @Autowired
    private CamelContext camel;

    @Autowired
    private Environment environment;

    @Autowired
    private ProbeProperties probes;

    @Test
    void camelPlaceholdersResolveToTheJavaDefaults() {
        String gpu = camel.resolvePropertyPlaceholders("{{odin.probes.gpu.period}}");
        assertThat(Duration.ofMillis(TimeUtils.toMilliSeconds(gpu))).isEqualTo(new ProbeProperties().getGpu().getPeriod())
                .isEqualTo(probes.getGpu().getPeriod());
        assertThat(camel.resolvePropertyPlaceholders("{{odin.probes.host.enabled}}")).isEqualTo("true");
        assertThat(environment.getProperty("camel.main.routes-include-pattern")).isEqualTo("classpath:routes/*.yaml");
        TimerEndpoint host = (TimerEndpoint) camel.getRoute("probe-host").getEndpoint();
        assertThat(host.getPeriod()).isEqualTo(new ProbeProperties().getHost().getPeriod().toMillis());
    }
}
