package dev.odin.exporter.prometheus;

import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.expHistogram;
import static dev.odin.testing.Otlp.expPoint;
import static dev.odin.testing.Otlp.histogram;
import static dev.odin.testing.Otlp.histogramPoint;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.signal.ExportResult;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule for delta points (docs/metrics.md, "Repeated, late and overlapping deltas"): a point
 * whose series, source, start and end equal one of the last points the series applied is
 * acknowledged and not added again; every other point is added, late or overlapping.
 */
class DeltaIdempotenceTest {

    private static final List<KeyValue> CLAUDE = attrs("service.name", "claude-code");
    private static final String COST = "claude_code_cost_usage_USD_total";

    private final TranslatorHarness h = new TranslatorHarness();

    private static ExportMetricsServiceRequest cost(NumberDataPoint... points) {
        return request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA, points));
    }

    private static NumberDataPoint session(String id, long start, long end, double v) {
        return point(attrs("session.id", id), start, end, v);
    }

    private double total(TranslatorHarness harness) {
        harness.pastZeroFirstWindow();
        return harness.scrape().metric(COST).values().stream().mapToDouble(Double::parseDouble).sum();
    }

    private double duplicates(TranslatorHarness harness) {
        return harness.counter("odin.otlp.discarded", "signal", "metrics", "reason", "duplicate");
    }

    @Test
    void aRequestSentThreeTimesCountsOnceAndIsAcknowledgedEachTime() {
        ExportMetricsServiceRequest r = cost(session("s1", T0, T0 + SECOND, 0.75),
                session("s2", T0, T0 + SECOND, 0.25));
        for (int i = 0; i < 3; i++) {
            ExportResult result = h.send(r);
            assertThat(result.rejected()).as("attempt %d", i + 1).isZero();
            assertThat(result.message()).isEmpty();
        }
        assertThat(total(h)).isEqualTo(1.0);
        assertThat(duplicates(h)).isEqualTo(4);
        assertThat(h.counter("odin.otlp.rejected", "signal", "metrics")).isZero();
    }

    @Test
    void latePointsAreAddedInAnyOrder() {
        h.send(cost(session("s1", T0 + 2 * SECOND, T0 + 3 * SECOND, 4)));
        h.send(cost(session("s1", T0, T0 + SECOND, 1)));
        h.send(cost(session("s1", T0 + SECOND, T0 + 2 * SECOND, 2)));
        assertThat(total(h)).isEqualTo(7.0);
        assertThat(duplicates(h)).isZero();
    }

    @Test
    void twoWritersOfOneSessionInterleaveAndBothCount() {
        // two `claude --resume` processes on one session: each has its own chain of windows,
        // which overlap the other's; the Collector would drop the older-started writer's points
        long a = T0;
        long b = T0 + 30 * SECOND;
        h.send(cost(session("s", b, b + 60 * SECOND, 0.5)));
        h.send(cost(session("s", a, a + 60 * SECOND, 1)));
        h.send(cost(session("s", a + 60 * SECOND, a + 120 * SECOND, 2)));
        h.send(cost(session("s", b + 60 * SECOND, b + 120 * SECOND, 0.25)));
        // each writer retries its last export once
        h.send(cost(session("s", a + 60 * SECOND, a + 120 * SECOND, 2)));
        h.send(cost(session("s", b + 60 * SECOND, b + 120 * SECOND, 0.25)));
        assertThat(total(h)).isEqualTo(3.75);
        assertThat(duplicates(h)).isEqualTo(2);
    }

    @Test
    void overlappingWindowsThatAreNotEqualAreAdded() {
        h.send(cost(session("s", T0, T0 + 10 * SECOND, 1)));
        h.send(cost(session("s", T0, T0 + 20 * SECOND, 2))); // same start, later end
        h.send(cost(session("s", T0 + 5 * SECOND, T0 + 20 * SECOND, 4))); // same end, later start
        assertThat(total(h)).isEqualTo(7.0);
        assertThat(duplicates(h)).isZero();
    }

    @Test
    void equalWindowsOfDifferentSeriesAreDifferentPoints() {
        h.send(cost(session("s1", T0, T0 + SECOND, 1), session("s2", T0, T0 + SECOND, 1)));
        assertThat(total(h)).isEqualTo(2.0);
        assertThat(duplicates(h)).isZero();
    }

    @Test
    void aMergedSeriesTellsItsSourcesApart() {
        TranslatorHarness d = new TranslatorHarness(m -> {
            dev.odin.exporter.prometheus.MetricsProperties.DropRule rule = new dev.odin.exporter.prometheus.MetricsProperties.DropRule();
            rule.setMetric("claude_code.*");
            rule.setAttributes(List.of("session.id"));
            m.setDropAttributes(List.of(rule));
        });
        // two sessions, one merged series, the same window: both count; a re-send of one does not
        ExportMetricsServiceRequest both = cost(session("s1", T0, T0 + SECOND, 1), session("s2", T0, T0 + SECOND, 2));
        d.send(both);
        d.send(cost(session("s1", T0, T0 + SECOND, 1)));
        assertThat(total(d)).isEqualTo(3.0);
        assertThat(duplicates(d)).isEqualTo(1);
    }

    @Test
    void theMemoryIsTheLastEightPointsOfEachSeries() {
        for (int i = 0; i < 9; i++) {
            h.send(cost(session("s", T0 + i * SECOND, T0 + (i + 1) * SECOND, 1)));
        }
        h.send(cost(session("s", T0 + 8 * SECOND, T0 + 9 * SECOND, 1))); // the newest: known
        h.send(cost(session("s", T0 + SECOND, T0 + 2 * SECOND, 1))); // eighth newest: known
        assertThat(duplicates(h)).isEqualTo(2);
        h.send(cost(session("s", T0, T0 + SECOND, 1))); // ninth newest: forgotten, added again
        assertThat(duplicates(h)).isEqualTo(2);
        assertThat(total(h)).isEqualTo(10.0);
    }

    @Test
    void refusedPointsAreNotRememberedAsApplied() {
        ExportResult nan = h.send(cost(session("s", T0, T0 + SECOND, Double.NaN)));
        assertThat(nan.rejected()).isEqualTo(1);
        h.send(cost(session("s", T0, T0 + SECOND, 1)));
        assertThat(total(h)).isEqualTo(1.0);
        assertThat(duplicates(h)).isZero();
    }

    @Test
    void histogramDeltasSentAgainAreMergedOnce() {
        double[] b = {0.1, 1};
        ExportMetricsServiceRequest r = request(CLAUDE, histogram("rpc.duration", "s", DELTA,
                histogramPoint(attrs(), T0, T0 + SECOND, 1.5, b, 1, 2, 0)));
        h.send(r);
        h.send(r);
        h.send(request(CLAUDE, histogram("rpc.duration", "s", DELTA,
                histogramPoint(attrs(), T0 + SECOND, T0 + 2 * SECOND, 0.5, b, 1, 0, 0))));
        h.pastZeroFirstWindow();
        assertThat(h.scrape().metric("rpc_duration_seconds_count").values()).containsExactly("4");
        assertThat(duplicates(h)).isEqualTo(1);
    }

    @Test
    void exponentialHistogramDeltasSentAgainAreMergedOnce() {
        ExportMetricsServiceRequest r = request(CLAUDE, expHistogram("payload", "By", DELTA,
                expPoint(attrs(), T0, T0 + SECOND, 0, 1, 10, 0, 2, 3)));
        h.send(r);
        h.send(r);
        h.send(r);
        h.pastZeroFirstWindow();
        assertThat(h.scrape().metric("payload_bytes_count").values()).containsExactly("6");
        assertThat(duplicates(h)).isEqualTo(2);
    }
}
