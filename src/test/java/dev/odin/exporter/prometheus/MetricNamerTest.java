package dev.odin.exporter.prometheus;

import static dev.odin.exporter.prometheus.MetricNamer.Kind.COUNTER;
import static dev.odin.exporter.prometheus.MetricNamer.Kind.GAUGE;
import static dev.odin.exporter.prometheus.MetricNamer.Kind.OTHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricNamerTest {

    private final MetricNamer namer = new MetricNamer(NamingStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES);

    @ParameterizedTest(name = "{0} [{1}, {2}] -> {3}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        // the spec's examples
        "claude_code.cost.usage        | USD     | COUNTER | claude_code_cost_usage_USD_total",
        "claude_code.token.usage       | tokens  | COUNTER | claude_code_token_usage_tokens_total",
        "claude_code.active_time.total | s       | COUNTER | claude_code_active_time_seconds_total",
        "claude_code.session.count     |         | COUNTER | claude_code_session_count_total",
        "http.server.request.duration  | s       | OTHER   | http_server_request_duration_seconds",
        "requests.total.errors         |         | COUNTER | requests_errors_total",
        "system.cpu.utilization        | 1       | GAUGE   | system_cpu_utilization_ratio",
        "2xx.responses                 |         | COUNTER | _2xx_responses_total",
        "http.requests                 | {req}/s | GAUGE   | http_requests_per_second",
        "a_per_second                  | 1/s     | GAUGE   | a_per_second_per_second",
        // every unit of the map
        "x | d    | GAUGE | x_days",
        "x | h    | GAUGE | x_hours",
        "x | min  | GAUGE | x_minutes",
        "x | ms   | GAUGE | x_milliseconds",
        "x | us   | GAUGE | x_microseconds",
        "x | ns   | GAUGE | x_nanoseconds",
        "x | By   | GAUGE | x_bytes",
        "x | KiBy | GAUGE | x_kibibytes",
        "x | MiBy | GAUGE | x_mebibytes",
        "x | GiBy | GAUGE | x_gibibytes",
        "x | TiBy | GAUGE | x_tibibytes",
        "x | KBy  | GAUGE | x_kilobytes",
        "x | MBy  | GAUGE | x_megabytes",
        "x | GBy  | GAUGE | x_gigabytes",
        "x | TBy  | GAUGE | x_terabytes",
        "x | m    | GAUGE | x_meters",
        "x | V    | GAUGE | x_volts",
        "x | A    | GAUGE | x_amperes",
        "x | J    | GAUGE | x_joules",
        "x | W    | GAUGE | x_watts",
        "x | g    | GAUGE | x_grams",
        "x | Cel  | GAUGE | x_celsius",
        "x | Hz   | GAUGE | x_hertz",
        "x | %    | GAUGE | x_percent",
        // per units
        "x | By/s  | COUNTER | x_bytes_per_second_total",
        "x | m/m   | GAUGE   | x_meters_per_minute",
        "x | 1/h   | GAUGE   | x_per_hour",
        "x | 1/d   | GAUGE   | x_per_day",
        "x | 1/w   | GAUGE   | x_per_week",
        "x | 1/mo  | GAUGE   | x_per_month",
        "x | 1/y   | GAUGE   | x_per_year",
        "x | km/h  | GAUGE   | x_km_per_hour",
        "x | km/fortnight | GAUGE | x_km_per_fortnight",
        // annotations and odd units
        "x | {tokens}        | COUNTER | x_total",
        "x | {packets}/s     | GAUGE   | x_per_second",
        "x | By/{request}    | GAUGE   | x_bytes",
        "x | ' s '           | GAUGE   | x_seconds",
        "x | ' By / s '      | GAUGE   | x_bytes_per_second",
        "x | foo             | GAUGE   | x_foo",
        "x | foo.bar         | GAUGE   | x_foo_bar",
        "x | _foo            | GAUGE   | x_foo",
        "x | foo_/s          | GAUGE   | x_foo_per_second",
        "x | foo__bar        | GAUGE   | x_foo_bar",
        "x | /s              | GAUGE   | x_per_second",
        "x | s/              | GAUGE   | x_seconds",
        // a unit already in the name is not added again
        "memory.usage.bytes  | By | GAUGE   | memory_usage_bytes",
        "duration.seconds.max | s | GAUGE   | duration_seconds_max",
        "a.per_second         | 1/s | GAUGE | a_per_second_per_second",
        // total and ratio tokens
        "total.requests.total   |   | COUNTER | requests_total",
        "requests.total         |   | GAUGE   | requests_total",
        "cpu.ratio.used         | 1 | GAUGE   | cpu_used_ratio",
        "cpu.ratio              | 1 | COUNTER | cpu_ratio_total",
        "cpu.ratio.used         | 1 | OTHER   | cpu_ratio_used",
        "errors.total           | 1 | COUNTER | errors_total",
        // separators, leading digits, non-ASCII
        "a..b__c--d  e          |   | GAUGE   | a_b_c_d_e",
        "..leading.and.trailing.. | | GAUGE   | leading_and_trailing",
        "caf\u00e9.latency      | ms | OTHER  | caf_latency_milliseconds",
        "\u65e5\u672c.requests  |    | COUNTER | requests_total",
        "0.a                    |    | GAUGE   | _0_a",
        "9lives                 | s  | GAUGE   | _9lives_seconds",
        "namespace:metric.name  |    | GAUGE   | namespace:metric_name",
    })
    void escapesWithSuffixes(String name, String unit, MetricNamer.Kind kind, String expected) {
        assertThat(namer.name(name, unit == null ? "" : unit, kind)).isEqualTo(expected);
    }

    @Test
    void nameThatTranslatesToNothingIsAnError() {
        assertThatThrownBy(() -> namer.name("...", "", GAUGE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> namer.name("", "s", COUNTER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> namer.name("\u00e9\u00e9", "", GAUGE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void collidingNamesMapToTheSameName() {
        assertThat(namer.name("a.b", "", GAUGE)).isEqualTo(namer.name("a_b", "", GAUGE))
                .isEqualTo(namer.name("a-b", "", GAUGE)).isEqualTo("a_b");
    }

    @Test
    void escapingWithoutSuffixes() {
        MetricNamer n = new MetricNamer(NamingStrategy.UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES);
        assertThat(n.name("claude_code.cost.usage", "USD", COUNTER)).isEqualTo("claude_code_cost_usage");
        assertThat(n.name("system.cpu.utilization", "1", GAUGE)).isEqualTo("system_cpu_utilization");
        assertThat(n.name("requests.total", "", COUNTER)).isEqualTo("requests_total");
        assertThat(n.name("2xx", "", COUNTER)).isEqualTo("_2xx");
    }

    @Test
    void utf8WithSuffixes() {
        MetricNamer n = new MetricNamer(NamingStrategy.NO_UTF8_ESCAPING_WITH_SUFFIXES);
        assertThat(n.name("claude_code.cost.usage", "USD", COUNTER)).isEqualTo("claude_code.cost.usage_USD_total");
        assertThat(n.name("system.cpu.utilization", "1", GAUGE)).isEqualTo("system.cpu.utilization_ratio");
        assertThat(n.name("http.duration", "s", OTHER)).isEqualTo("http.duration_seconds");
        assertThat(n.name("bytes_total", "By", COUNTER)).isEqualTo("bytes_total_bytes_total");
        assertThat(n.name("rx_bytes", "By/s", GAUGE)).isEqualTo("rx_bytes_per_second");
        assertThat(n.name("caf\u00e9", "", COUNTER)).isEqualTo("caf\u00e9_total");
    }

    @Test
    void noTranslation() {
        MetricNamer n = new MetricNamer(NamingStrategy.NO_TRANSLATION);
        assertThat(n.name("claude_code.cost.usage", "USD", COUNTER)).isEqualTo("claude_code.cost.usage");
        assertThat(n.name("caf\u00e9 latency", "ms", OTHER)).isEqualTo("caf\u00e9 latency");
    }
}
