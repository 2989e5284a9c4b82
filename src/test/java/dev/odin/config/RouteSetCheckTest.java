package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;

/**
 * The required steps of each pipeline ({@link RouteSetCheck#REQUIRED_STEPS}), found wherever the
 * route holds them, and named with the route when missing.
 */
class RouteSetCheckTest {

    private static RouteDefinition route(String id, String from) {
        RouteDefinition r = new RouteDefinition();
        r.from(from).routeId(id);
        return r;
    }

    private static RouteDefinition metrics() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        r.bean("applyMetricPrivacy", "applyRules").bean("translateMetrics", "toSeries");
        return r;
    }

    private static RouteDefinition logs() {
        RouteDefinition r = route("otlp-logs", "direct:otlp-logs");
        r.bean("applyEventPrivacy", "apply").to("direct:event-sink");
        return r;
    }

    private static RouteDefinition alerts() {
        RouteDefinition r = route("alertmanager-webhook", "platform-http:/alertmanager/webhook?httpMethodRestrict=POST");
        r.bean("alertIntake", "decode").bean("alertIntake", "prepare").filter().simple("${body.resourceLogsCount} > 0")
                .to("direct:event-sink").end().bean("alertIntake", "commit");
        return r;
    }

    private static List<String> missing(RouteDefinition... routes) {
        return RouteSetCheck.missingSteps(List.of(routes), RouteSetCheck.REQUIRED_STEPS);
    }

    @Test
    void theShippedShapesHoldEveryRequiredStep() {
        assertThat(missing(metrics(), logs(), alerts(), route("event-sink", "direct:event-sink"))).isEmpty();
    }

    @Test
    void aMetricsPipelineWithoutThePrivacyStepIsNamed() {
        RouteDefinition r = route("my-metrics", "direct:otlp-metrics");
        r.bean("metrics", "dropMetric('x')").bean("translateMetrics", "toSeries");
        assertThat(missing(r, logs(), alerts())).containsExactly("route my-metrics (from direct:otlp-metrics) lacks"
                + " the metric privacy step (bean applyMetricPrivacy)");
    }

    @Test
    void aMetricsPipelineWithoutTheTranslationIsNamed() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        r.bean("applyMetricPrivacy", "applyRules");
        assertThat(missing(r)).containsExactly("route otlp-metrics (from direct:otlp-metrics) lacks the translation"
                + " into series (bean translateMetrics)");
    }

    @Test
    void stepsNestedInChoiceFilterAndMulticastCount() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        ChoiceDefinition choice = r.choice();
        choice.when().simple("${header.x} == 'y'").filter().simple("${body} != null")
                .bean("applyMetricPrivacy", "applyRules");
        choice.otherwise().multicast().to("direct:elsewhere").bean("translateMetrics", "toSeries");
        assertThat(missing(r)).isEmpty();
    }

    @Test
    void stepsInARouteReachedOverDirectCount() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        r.bean("applyMetricPrivacy", "applyRules").to("direct:translate");
        RouteDefinition next = route("translate", "direct:translate");
        next.process("translateMetrics");
        assertThat(missing(r, next)).isEmpty();
        assertThat(missing(r)).hasSize(1);
    }

    @Test
    void aLogsPipelineMustApplyThePrivacyRulesAndReachAnEventSink() {
        RouteDefinition r = route("otlp-logs", "direct:otlp-logs");
        r.process("acceptOtlpLogs").to("log:dropped");
        assertThat(missing(r)).containsExactly(
                "route otlp-logs (from direct:otlp-logs) lacks the event privacy step (bean applyEventPrivacy)",
                "route otlp-logs (from direct:otlp-logs) lacks an event sink (to direct:event-sink or to odin-loki:"
                        + " or to odin-files:)");
        RouteDefinition wired = route("otlp-logs", "direct:otlp-logs");
        wired.process("applyEventPrivacy").wireTap("odin-files:events").to("odin-loki:default");
        assertThat(missing(wired)).isEmpty();
    }

    @Test
    void theAlertmanagerRouteMustCommit() {
        RouteDefinition r = route("alertmanager-webhook", "platform-http:/alertmanager/webhook");
        r.bean("alertIntake", "decode").bean("alertIntake", "prepare").to("direct:event-sink");
        assertThat(missing(r)).containsExactly("route alertmanager-webhook (from platform-http:/alertmanager/webhook)"
                + " lacks the alerts' commit (bean alertIntake.commit)");
    }

    @Test
    void anAbsentOptionalPipelineIsNotThisChecksBusiness() {
        assertThat(missing(metrics())).isEmpty();
    }
}
