package dev.odin.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The comparison itself: what it treats as equal is what Prometheus stores as equal, and no more. */
class CollectorSeriesTest {

    @Test
    void ingestionDropsEmptyLabelsAndReadsValuesAsFloats() {
        assertThat(CollectorSeries.ingested("a_total{b=\"1\",otel_scope_schema_url=\"\",c=\"x,y\"} 300"))
                .isEqualTo(CollectorSeries.ingested("a_total{c=\"x,y\",b=\"1\"} 300.0"));
        assertThat(CollectorSeries.ingested("a_total{b=\"1\"} 300"))
                .isNotEqualTo(CollectorSeries.ingested("a_total{b=\"2\"} 300"))
                .isNotEqualTo(CollectorSeries.ingested("a_total{b=\"1\"} 300.5"))
                .isNotEqualTo(CollectorSeries.ingested("a_total{b=\"1\",instance=\"i\"} 300"));
    }

    @Test
    void aMissingOrExtraSeriesFailsTheComparison() {
        String all = String.join("\n", CollectorSeries.COLLECTOR) + "\n";
        CollectorSeries.assertCollectorLines(all); // the Collector's own lines pass
        String lessOne = all.replaceFirst("claude_code_token_usage_tokens_total\\{[^\\n]*type=\"output\"[^\\n]*\\n", "");
        assertThatThrownBy(() -> CollectorSeries.assertCollectorLines(lessOne)).isInstanceOf(AssertionError.class);
        String renamed = all.replace("# HELP claude_code_cost_usage_USD_total", "# HELP claude_code_cost_usage_total");
        assertThatThrownBy(() -> CollectorSeries.assertCollectorLines(renamed)).isInstanceOf(AssertionError.class);
        String otherValue = all.replace("} 42", "} 43");
        assertThatThrownBy(() -> CollectorSeries.assertCollectorLines(otherValue)).isInstanceOf(AssertionError.class);
    }
}
