package dev.odin.exporter.prometheus;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import static dev.odin.testing.Otlp.CUMULATIVE;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The metric steps of bean "metrics" as the translation applies them: drops and static labels. */
class MetricStepsTest {

    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    private final TranslatorHarness h = new TranslatorHarness();
    private final MetricSteps steps = new MetricSteps();
    private final Exchange exchange = new DefaultExchange(CAMEL);

    @AfterAll
    static void close() throws Exception {
        CAMEL.close();
    }

    private static ExportMetricsServiceRequest twoMetrics(String service) {
        return request(attrs("service.name", service),
                sum("app.requests", "", true, CUMULATIVE, point(attrs("team", "from-point"), T0, T0 + SECOND, 3)),
                sum("app.noise", "", true, CUMULATIVE, point(attrs(), T0, T0 + SECOND, 5)));
    }

    private static java.util.List<String> series(dev.odin.testing.Exposition e, String metric, String job) {
        return e.metric(metric).keySet().stream().filter(k -> k.contains("job=\"" + job + "\"")).toList();
    }

    private ExportResult translate(ExportMetricsServiceRequest request) {
        ExportResult result = new ExportResult(Signal.METRICS, Transport.HTTP);
        h.translator.translate(request, result, exchange.getProperty(MetricEdits.PROPERTY, MetricEdits.class));
        return result;
    }

    private double discarded() {
        var c = h.meters.find("odin.otlp.discarded").tag("reason", MetricsTranslator.DROPPED_BY_ROUTE).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aMetricIsDroppedByItsOtlpNameAndCountedNotRefused() {
        steps.dropMetric("app.noise", exchange);
        ExportResult result = translate(twoMetrics("checkout"));
        assertThat(result.rejected()).isZero();
        assertThat(result.received()).isEqualTo(2);
        assertThat(h.scrape().metric("app_noise_total")).isEmpty();
        assertThat(h.scrape().metric("app_requests_total")).hasSize(1);
        assertThat(discarded()).isEqualTo(1);
    }

    @Test
    void aMetricIsDroppedByTheNameMetricsShowsAndSeveralByCommas() {
        steps.dropMetric("app_noise_total, other.metric", exchange);
        translate(twoMetrics("checkout"));
        assertThat(h.scrape().metric("app_noise_total")).isEmpty();
        assertThat(h.scrape().metric("app_requests_total")).hasSize(1);
    }

    @Test
    void withoutStepsNothingIsDropped() {
        translate(twoMetrics("checkout"));
        assertThat(h.scrape().metric("app_noise_total")).hasSize(1);
        assertThat(discarded()).isZero();
    }

    @Test
    void aStaticLabelGoesOnEverySeriesOfTheMatchingServiceOnlyAndOutranksAPointAttribute() {
        steps.addLabel("service.name", "checkout", "team", "payments", exchange);
        translate(twoMetrics("checkout"));
        translate(twoMetrics("billing"));
        var exposition = h.scrape();
        assertThat(series(exposition, "app_noise_total", "checkout")).singleElement().asString()
                .contains("team=\"payments\"");
        assertThat(series(exposition, "app_noise_total", "billing")).singleElement().asString()
                .doesNotContain("team=");
        assertThat(series(exposition, "app_requests_total", "checkout")).singleElement().asString()
                .contains("team=\"payments\"").doesNotContain("from-point");
        assertThat(series(exposition, "app_requests_total", "billing")).singleElement().asString()
                .contains("team=\"from-point\"");
        assertThat(series(exposition, "target_info", "checkout")).singleElement().asString()
                .contains("team=\"payments\"");
    }

    @Test
    void theLaterStepWinsWhenTwoSetOneLabel() {
        steps.addLabel("service.name", "checkout", "team", "first", exchange);
        steps.addLabel("service.name", "checkout", "team", "second", exchange);
        steps.dropMetric("app.requests", exchange);
        translate(twoMetrics("checkout"));
        assertThat(series(h.scrape(), "app_noise_total", "checkout")).singleElement().asString()
                .contains("team=\"second\"").doesNotContain("first");
        assertThat(h.scrape().metric("app_requests_total")).isEmpty();
    }

    @Test
    void anInvalidLabelNameIsRefusedWithTheReason() {
        assertThatThrownBy(() -> steps.addLabel("service.name", "checkout", "te-am", "x", exchange))
                .hasMessageContaining("'te-am' is not a Prometheus label name");
        assertThatThrownBy(() -> steps.addLabel("service.name", "checkout", "__name__", "x", exchange))
                .hasMessageContaining("not starting with __");
        assertThatThrownBy(() -> steps.dropMetric(" , ", exchange)).hasMessageContaining("at least one metric name");
    }
}
