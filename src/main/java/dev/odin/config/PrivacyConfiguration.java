package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.privacy.PrivacyProperties;
import dev.odin.privacy.AttributeRules;
import dev.odin.privacy.EventsPrivacy;
import dev.odin.privacy.HashKey;
import dev.odin.privacy.MetricsPrivacy;
import dev.odin.privacy.TracesPrivacy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The privacy steps the otlp-metrics and otlp-logs routes run before any sink: attribute rules
 * per signal (drop, keyed hash, redact), and their counters.
 */
@Configuration(proxyBeanMethods = false)
public class PrivacyConfiguration {

    @Bean
    public MetricsPrivacy applyMetricPrivacy(PrivacyProperties privacy, OdinProperties odin, MeterRegistry registry)
            throws IOException {
        return new MetricsPrivacy(rules(privacy.metrics(), "odin.privacy.metrics", "metrics", privacy, odin, registry));
    }

    @Bean
    public EventsPrivacy applyEventPrivacy(PrivacyProperties privacy, OdinProperties odin, MeterRegistry registry)
            throws IOException {
        return new EventsPrivacy(rules(privacy.events(), "odin.privacy.events", "events", privacy, odin, registry));
    }

    @Bean
    public TracesPrivacy applyTracePrivacy(PrivacyProperties privacy, OdinProperties odin, MeterRegistry registry)
            throws IOException {
        return new TracesPrivacy(rules(privacy.traces(), "odin.privacy.traces", "traces", privacy, odin, registry));
    }

    private static AttributeRules rules(List<PrivacyProperties.Rule> list, String key, String signal,
            PrivacyProperties privacy, OdinProperties odin, MeterRegistry registry) throws IOException {
        AttributeRules rules;
        try {
            rules = new AttributeRules(list, HashKey.load(privacy.hashKeyFile(), Path.of(odin.getDataDir())), key);
        } catch (IllegalArgumentException e) {
            throw new RefusedStartException(e.getMessage());
        }
        for (PrivacyProperties.Action a : PrivacyProperties.Action.values()) {
            FunctionCounter.builder("odin.privacy.attributes", rules, r -> r.applied(a))
                    .description("Attributes dropped, hashed or redacted by the privacy rules before any sink")
                    .tag("signal", signal).tag("action", a.name().toLowerCase()).register(registry);
        }
        return rules;
    }
}
