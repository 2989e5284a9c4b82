package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;

/**
 * The required steps of each pipeline ({@link RouteSetCheck#REQUIRED_STEPS}), found where they
 * run for every request, in order, and named with the route when missing or misplaced.
 */
class RouteSetCheckTest {

    private static final String EVERY_PATH = " on every request's path (not only in a wireTap, a filter or some"
            + " branches of a choice)";

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
        r.bean("applyEventPrivacy", "apply").bean("limitEventLengths", "limit").to("direct:event-sink")
                .bean("recordTelemetryUsage", "record");
        return r;
    }

    /** As routes/otlp-logs.yaml's event-sink: files without a Loki URL, otherwise the Loki. */
    private static RouteDefinition eventSink() {
        RouteDefinition r = route("event-sink", "direct:event-sink");
        ChoiceDefinition choice = r.choice();
        choice.when().simple("'' == ''").to("odin-files:events");
        choice.otherwise().to("odin-loki:default");
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
        assertThat(missing(metrics(), logs(), alerts(), eventSink())).isEmpty();
    }

    @Test
    void aMetricsPipelineWithoutThePrivacyStepIsNamed() {
        RouteDefinition r = route("my-metrics", "direct:otlp-metrics");
        r.bean("metrics", "dropMetric('x')").bean("translateMetrics", "toSeries");
        assertThat(missing(r, logs(), alerts(), eventSink())).containsExactly("route my-metrics (from"
                + " direct:otlp-metrics) lacks the metric privacy step (bean applyMetricPrivacy)" + EVERY_PATH);
    }

    @Test
    void aMetricsPipelineWithoutTheTranslationIsNamed() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        r.bean("applyMetricPrivacy", "applyRules");
        assertThat(missing(r)).containsExactly("route otlp-metrics (from direct:otlp-metrics) lacks the translation"
                + " into series (bean translateMetrics)" + EVERY_PATH);
    }

    @Test
    void stepsInAMulticastAndInEveryBranchOfAChoiceCount() {
        RouteDefinition r = route("otlp-metrics", "direct:otlp-metrics");
        ChoiceDefinition choice = r.choice();
        choice.when().simple("${header.x} == 'y'").bean("applyMetricPrivacy", "applyRules");
        choice.otherwise().multicast().to("direct:elsewhere").bean("applyMetricPrivacy", "applyRules");
        r.bean("translateMetrics", "toSeries");
        assertThat(missing(r)).isEmpty();
    }

    @Test
    void aStepInOneBranchOnlyUnderAFilterOrInAWireTapDoesNotCount() {
        RouteDefinition oneBranch = route("otlp-metrics", "direct:otlp-metrics");
        oneBranch.choice().when().simple("${header.x} == 'y'").bean("applyMetricPrivacy", "applyRules").end()
                .bean("translateMetrics", "toSeries");
        assertThat(missing(oneBranch)).containsExactly("route otlp-metrics (from direct:otlp-metrics) lacks the"
                + " metric privacy step (bean applyMetricPrivacy)" + EVERY_PATH);

        RouteDefinition filtered = route("otlp-metrics", "direct:otlp-metrics");
        filtered.filter().simple("${header.x} == 'y'").bean("applyMetricPrivacy", "applyRules").end()
                .bean("translateMetrics", "toSeries");
        assertThat(missing(filtered)).hasSize(1);

        // the sink on another thread: a full queue would no longer reach the client as 503
        RouteDefinition tapped = route("otlp-logs", "direct:otlp-logs");
        tapped.bean("applyEventPrivacy", "apply").wireTap("direct:event-sink");
        assertThat(missing(tapped, eventSink())).containsExactly("route otlp-logs (from direct:otlp-logs) lacks an"
                + " event sink (to odin-loki: or to odin-files:)" + EVERY_PATH);
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
    void spansKeptOrForwardedOnlyAfterTheTracePrivacyStep() {
        RouteDefinition reordered = route("otlp-traces", "direct:otlp-traces");
        reordered.bean("traces", "store").bean("applyTracePrivacy", "applyRules").bean("otlpTraces", "accept");
        assertThat(missing(reordered)).containsExactly("route otlp-traces (from direct:otlp-traces) runs the trace"
                + " privacy step (bean applyTracePrivacy) only after traces.toMetrics or traces.store or odin-otlp:traces");

        RouteDefinition without = route("otlp-traces", "direct:otlp-traces");
        without.bean("traces", "toMetrics").bean("otlpTraces", "accept");
        assertThat(missing(without)).hasSize(1);

        RouteDefinition forwarded = route("otlp-traces", "direct:otlp-traces");
        forwarded.to("odin-otlp:traces").bean("applyTracePrivacy", "applyRules");
        assertThat(missing(forwarded)).hasSize(1);

        // a route that keeps nothing (the drop-traces recipe) needs no privacy step
        RouteDefinition dropping = route("otlp-traces", "direct:otlp-traces");
        dropping.bean("otlpTraces", "reject(*, 'traces are not kept here')");
        assertThat(missing(dropping)).isEmpty();

        RouteDefinition shipped = route("otlp-traces", "direct:otlp-traces");
        shipped.bean("applyTracePrivacy", "applyRules").to("odin-otlp:traces").bean("traces", "toMetrics")
                .bean("traces", "store").bean("otlpTraces", "accept");
        assertThat(missing(shipped)).isEmpty();
    }

    @Test
    void aLogsPipelineMustApplyThePrivacyRulesAndReachAnEventSink() {
        RouteDefinition r = route("otlp-logs", "direct:otlp-logs");
        r.to("log:dropped");
        assertThat(missing(r)).containsExactly(
                "route otlp-logs (from direct:otlp-logs) lacks the event privacy step (bean applyEventPrivacy)"
                        + EVERY_PATH,
                "route otlp-logs (from direct:otlp-logs) lacks an event sink (to odin-loki: or to odin-files:)"
                        + EVERY_PATH);
        RouteDefinition wired = route("otlp-logs", "direct:otlp-logs");
        wired.process("applyEventPrivacy").wireTap("odin-files:events").to("odin-loki:default");
        assertThat(missing(wired)).isEmpty();
    }

    @Test
    void anEventSinkThatSomeRequestsSkipIsNamed() {
        // the second-Loki recipe without its otherwise: everyone else's events would go nowhere
        RouteDefinition sink = route("event-sink", "direct:event-sink");
        sink.choice().when().simple("${header.Odin-Tenant} == 'team-b'").to("odin-loki:team-b?url=http://b");
        assertThat(missing(logs(), sink)).containsExactly("route otlp-logs (from direct:otlp-logs) lacks an event"
                + " sink (to odin-loki: or to odin-files:)" + EVERY_PATH);
        RouteDefinition debugging = route("event-sink", "direct:event-sink");
        debugging.to("log:events");
        assertThat(missing(logs(), debugging)).hasSize(1);
    }

    @Test
    void thePrivacyRulesMustRunBeforeTheSink() {
        RouteDefinition late = route("otlp-logs", "direct:otlp-logs");
        late.to("direct:event-sink").bean("applyEventPrivacy", "apply");
        assertThat(missing(late, eventSink())).containsExactly("route otlp-logs (from direct:otlp-logs) runs the"
                + " event privacy step (bean applyEventPrivacy) only after odin-loki: or odin-files:");
        RouteDefinition lateMetrics = route("otlp-metrics", "direct:otlp-metrics");
        lateMetrics.bean("translateMetrics", "toSeries").bean("applyMetricPrivacy", "applyRules");
        assertThat(missing(lateMetrics)).containsExactly("route otlp-metrics (from direct:otlp-metrics) runs the"
                + " metric privacy step (bean applyMetricPrivacy) only after translateMetrics");
    }

    @Test
    void theOtlpExportMustComeAfterThePrivacyRules() {
        RouteDefinition early = route("otlp-logs", "direct:otlp-logs");
        early.choice().when().simple("true").to("odin-otlp:default").end()
                .bean("applyEventPrivacy", "apply").to("direct:event-sink");
        assertThat(missing(early, eventSink())).containsExactly("route otlp-logs (from direct:otlp-logs) runs the"
                + " event privacy step (bean applyEventPrivacy) only after odin-otlp:");
        RouteDefinition shipped = route("otlp-logs", "direct:otlp-logs");
        shipped.bean("applyEventPrivacy", "apply").choice().when().simple("true").to("odin-otlp:default").end()
                .to("direct:event-sink");
        assertThat(missing(shipped, eventSink())).isEmpty();

        RouteDefinition unprotected = route("otlp-export-metrics", "direct:otlp-export-metrics");
        unprotected.to("odin-otlp:default");
        assertThat(missing(unprotected)).containsExactly("route otlp-export-metrics (from direct:otlp-export-metrics)"
                + " lacks the metric privacy rewrite (bean applyMetricPrivacy.applyRules or bean"
                + " applyMetricPrivacy.process)" + EVERY_PATH);
        // attachRules only hands the rules to the translation: the export would forward raw attributes
        RouteDefinition attachedOnly = route("otlp-export-metrics", "direct:otlp-export-metrics");
        attachedOnly.bean("applyMetricPrivacy", "attachRules").to("odin-otlp:default");
        assertThat(missing(attachedOnly)).containsExactly("route otlp-export-metrics (from"
                + " direct:otlp-export-metrics) lacks the metric privacy rewrite (bean applyMetricPrivacy.applyRules or"
                + " bean applyMetricPrivacy.process)" + EVERY_PATH);
        RouteDefinition exportMetrics = route("otlp-export-metrics", "direct:otlp-export-metrics");
        exportMetrics.bean("applyMetricPrivacy", "applyRules").to("odin-otlp:default");
        // as routes/otlp-metrics.yaml has it: the export branch first, then the main path
        RouteDefinition main = route("otlp-metrics", "direct:otlp-metrics");
        main.choice().when().simple("true").to("direct:otlp-export-metrics").end()
                .bean("applyMetricPrivacy", "applyRules").bean("translateMetrics", "toSeries");
        assertThat(missing(main, exportMetrics)).isEmpty();
    }

    @Test
    void theAlertmanagerRouteMustStoreAndCommit() {
        RouteDefinition r = route("alertmanager-webhook", "platform-http:/alertmanager/webhook");
        r.bean("alertIntake", "decode").bean("alertIntake", "prepare").to("direct:event-sink");
        assertThat(missing(r, eventSink())).containsExactly("route alertmanager-webhook (from"
                + " platform-http:/alertmanager/webhook) lacks the alerts' commit (bean alertIntake.commit)" + EVERY_PATH);
        RouteDefinition unstored = route("alertmanager-webhook", "platform-http:/alertmanager/webhook");
        unstored.bean("alertIntake", "decode").bean("alertIntake", "prepare").bean("alertIntake", "commit");
        assertThat(missing(unstored, eventSink())).containsExactly("route alertmanager-webhook (from"
                + " platform-http:/alertmanager/webhook) lacks an event sink for the alerts (to odin-loki: or to"
                + " odin-files:)" + EVERY_PATH);
        // the shipped route stores under a filter (only new alerts): that is allowed here
        assertThat(missing(alerts(), eventSink())).isEmpty();
    }

    @Test
    void anAbsentOptionalPipelineIsNotThisChecksBusiness() {
        assertThat(missing(metrics())).isEmpty();
    }
}
