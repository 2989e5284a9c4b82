package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.alerting.AlertingProperties;
import dev.odin.probes.ProbeProperties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.validation.FieldError;
import org.springframework.validation.Validator;

/**
 * Every rule of ODIN's settings refuses a bad value when Spring binds it, with Spring's
 * BindValidationException naming the group, the property path and the rule (the checks are
 * ODIN's own {@link dev.odin.settings.SettingChecks}, run by ConfigurationPropertiesBinder; no Bean Validation).
 */
class SettingChecksTest {

    @EnableConfigurationProperties({OdinProperties.class, ProbeProperties.class, AlertingProperties.class})
    static class Groups {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Groups.class);

    /** key | bad value | object | field (its path in the group) | message: one bad value per rule. */
    static Stream<String> rules() {
        return Stream.of(
            "odin.limits.max-concurrent-reads|0|odin|limits.maxConcurrentReads|must be greater than or equal to 1",
            "odin.limits.max-series|0|odin|limits.maxSeries|must be greater than or equal to 1",
            "odin.traces.metrics-cardinality-limit|0|odin|traces.metricsCardinalityLimit|must be greater than or equal to 1",
            "odin.events.retention-days|0|odin|events.retentionDays|must be greater than or equal to 1",
            "odin.collector-compat.metrics-port|-1|odin|collectorCompat.metricsPort|must be greater than or equal to 0",
            "odin.collector-compat.metrics-port|65536|odin|collectorCompat.metricsPort|must be less than or equal to 65535",
            "odin.collector-compat.health-port|-1|odin|collectorCompat.healthPort|must be greater than or equal to 0",
            "odin.collector-compat.health-port|65536|odin|collectorCompat.healthPort|must be less than or equal to 65535",
            "odin.usage-forward.dedup-days|0|odin|usageForward.dedupDays|must be greater than or equal to 1",
            "odin.usage-forward.dedup-max-requests|999|odin|usageForward.dedupMaxRequests|must be greater than or equal to 1000",
            "odin.otlp.grpc.port|-1|odin|otlp.grpc.port|must be greater than or equal to 0",
            "odin.otlp.grpc.threads|0|odin|otlp.grpc.threads|must be greater than or equal to 1",
            "odin.otlp.grpc.max-concurrent-calls-per-connection|0|odin|otlp.grpc.maxConcurrentCallsPerConnection|must be greater than or equal to 1",
            "odin.otlp-export.protocol|x|odin|otlpExport.protocol|is http/protobuf or grpc",
            "odin.metrics.zero-first-window|0s|odin|metrics.zeroFirstWindow|must be at least 0.001s",
            "odin.metrics.scrape-max-concurrent|0|odin|metrics.scrapeMaxConcurrent|must be greater than or equal to 1",
            "odin.metrics.scrape-max-per-client|0|odin|metrics.scrapeMaxPerClient|must be greater than or equal to 1",
            "odin.metrics.max-series|0|odin|metrics.maxSeries|must be greater than or equal to 1",
            "odin.metrics.max-series-per-metric|0|odin|metrics.maxSeriesPerMetric|must be greater than or equal to 1",
            "odin.metrics.max-label-value-length|0|odin|metrics.maxLabelValueLength|must be greater than or equal to 1",
            "odin.metrics.max-labels-per-series|0|odin|metrics.maxLabelsPerSeries|must be greater than or equal to 1",
            "odin.metrics.max-series-per-tenant|-1|odin|metrics.maxSeriesPerTenant|must be greater than or equal to 0",
            "odin.metrics.max-name-length|0|odin|metrics.maxNameLength|must be greater than or equal to 1",
            "odin.metrics.max-label-name-length|0|odin|metrics.maxLabelNameLength|must be greater than or equal to 1",
            "odin.metrics.max-resource-attribute-value-length|0|odin|metrics.maxResourceAttributeValueLength|must be greater than or equal to 1",
            "odin.metrics.max-help-length|0|odin|metrics.maxHelpLength|must be greater than or equal to 1",
            "odin.metrics.drop-attributes[0].metric||odin|metrics.dropAttributes[0].metric|must not be blank",
            "odin.remote-write.protocol|x|odin|remoteWrite.protocol|must be 1.0 or 2.0",
            "odin.remote-write.max-samples-per-request|0|odin|remoteWrite.maxSamplesPerRequest|must be greater than or equal to 1",
            "odin.remote-write.max-samples-per-request|1000001|odin|remoteWrite.maxSamplesPerRequest|must be less than or equal to 1000000",
            "odin.loki.max-stream-labels|0|odin|loki.maxStreamLabels|must be greater than or equal to 1",
            "odin.loki.max-metadata-entries|0|odin|loki.maxMetadataEntries|must be greater than or equal to 1",
            "odin.probes.gpu.command||odin.probes|gpu.command|must not be blank",
            "odin.probes.process.groups[0].name||odin.probes|process.groups[0].name|must not be blank",
            "odin.probes.process.groups[0].comm||odin.probes|process.groups[0].comm|must not be blank",
            "odin.probes.proc-root||odin.probes|procRoot|must not be blank",
            "odin.probes.sys-root||odin.probes|sysRoot|must not be blank",
            "odin.probes.rootfs||odin.probes|rootfs|must not be blank",
            "odin.alerting.channels[0].name||odin.alerting|channels[0].name|must not be blank",
            "odin.alerting.escalations[0].severity||odin.alerting|escalations[0].severity|must not be blank",
            "odin.alerting.escalations[0].channel||odin.alerting|escalations[0].channel|must not be blank",
            "odin.alerting.flapping.max-transitions|-1|odin.alerting|flapping.maxTransitions|must be greater than or equal to 0",
            "odin.alerting.retry.max-attempts|0|odin.alerting|retry.maxAttempts|must be greater than or equal to 1",
            "odin.alerting.max-tracked-alerts|99|odin.alerting|maxTrackedAlerts|must be greater than or equal to 100",
            "odin.routes.include||odin|routes.include|must not be blank",
            "odin.bind-address||odin|bindAddress|must not be blank"
        );
    }

    @ParameterizedTest
    @MethodSource("rules")
    void aBadValueIsRefusedAtBinding(String rule) {
        String[] r = rule.split("\\|", -1);
        runner.withPropertyValues(r[0] + "=" + r[1]).run(context -> {
            assertThat(context).hasFailed();
            Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
            assertThat(root).isInstanceOf(BindValidationException.class);
            assertThat(root.getMessage()).contains("Binding validation errors on " + r[2])
                    .contains("Field error in object '" + r[2] + "' on field '" + r[3] + "': rejected value [")
                    .contains("default message [" + r[4] + "]");
        });
    }

    @Test
    void theDefaultsPass() {
        runner.run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aValueOnTheBoundIsKept() {
        runner.withPropertyValues("odin.collector-compat.metrics-port=65535", "odin.collector-compat.health-port=0",
                "odin.usage-forward.dedup-max-requests=1000", "odin.remote-write.max-samples-per-request=1000000",
                "odin.remote-write.protocol=2.0", "odin.otlp-export.protocol=grpc",
                "odin.metrics.zero-first-window=1ms").run(context -> assertThat(context).hasNotFailed());
    }

    /**
     * The non-null rules, which properties cannot break (an empty value leaves the default; a
     * String or a map binds empty): each null set in code is refused on its path.
     */
    static Stream<String> nonNullRules() {
        return Stream.of(
            "odin|limits.maxBodySize",
            "odin|limits.staleAfter",
            "odin|traces.store.retention",
            "odin|traces.store.maxSize",
            "odin|events.maxFileSize",
            "odin|events.maxBodySize",
            "odin|events.maxAttributeValueSize",
            "odin|events.maxAttributeKeySize",
            "odin|usageForward.timeout",
            "odin|usageForward.batchSize",
            "odin|usageForward.queueMaxSize",
            "odin|usageForward.maxBackoff",
            "odin|otlp.maxRequestSize",
            "odin|otlp.maxDecompressedSize",
            "odin|otlp.grpc.maxMessageSize",
            "odin|otlpExport.compression",
            "odin|otlpExport.timeout",
            "odin|otlpExport.batchSize",
            "odin|otlpExport.queueMaxSize",
            "odin|otlpExport.deliveryInterval",
            "odin|otlpExport.minBackoff",
            "odin|otlpExport.maxBackoff",
            "odin|metrics.naming",
            "odin|metrics.seriesExpiry",
            "odin|metrics.expiryCheckInterval",
            "odin|metrics.zeroFirstWindow",
            "odin|remoteWrite.interval",
            "odin|remoteWrite.timeout",
            "odin|remoteWrite.minBackoff",
            "odin|remoteWrite.maxBackoff",
            "odin|remoteWrite.queueMaxSize",
            "odin|loki.batchSize",
            "odin|loki.batchWait",
            "odin|loki.timeout",
            "odin|loki.deliveryInterval",
            "odin|loki.minBackoff",
            "odin|loki.maxBackoff",
            "odin|loki.queueMaxSize",
            "odin|loki.maxMetadataSize",
            "odin|loki.maxLineSize",
            "odin|loki.maxLabelValueSize",
            "odin.probes|host.period",
            "odin.probes|power.period",
            "odin.probes|gpu.period",
            "odin.probes|gpu.timeout",
            "odin.probes|process.period",
            "odin.probes|source",
            "odin.alerting|webhook.maxBodySize",
            "odin.alerting|channels[0].type",
            "odin.alerting|channels[0].timeout",
            "odin.alerting|escalations[0].after",
            "odin.alerting|escalations[0].repeat",
            "odin.alerting|flapping.window",
            "odin.alerting|flapping.settle",
            "odin.alerting|retry.minBackoff",
            "odin.alerting|retry.maxBackoff",
            "odin.alerting|retry.maxAge",
            "odin.alerting|retry.deadLetterMaxSize",
            "odin.alerting|retry.queueMaxSize",
            "odin.alerting|dedupWindow",
            "odin.alerting|deliveryInterval",
            "odin.alerting|checkInterval",
            "odin|dataDirMinFree",
            "odin|usageForward.token",
            "odin|otlpExport.protocol",
            "odin|otlpExport.signals",
            "odin|otlpExport.headers",
            "odin|remoteWrite.protocol"
        );
    }

    @ParameterizedTest
    @MethodSource("nonNullRules")
    void aNullIsRefused(String rule) {
        String[] r = rule.split("\\|", -1);
        Validator group = switch (r[0]) {
            case "odin" -> new OdinProperties();
            case "odin.probes" -> new ProbeProperties();
            default -> new AlertingProperties();
        };
        if (group instanceof AlertingProperties alerting) {
            alerting.getChannels().add(new AlertingProperties.Channel());
            alerting.getEscalations().add(new AlertingProperties.Escalation());
        }
        new BeanWrapperImpl(group).setPropertyValue(r[1], null);
        BeanPropertyBindingResult errors = new BeanPropertyBindingResult(group, r[0]);
        group.validate(group, errors);
        assertThat(errors.getFieldErrors(r[1])).extracting(FieldError::getDefaultMessage).containsExactly("must not be null");
    }
}
