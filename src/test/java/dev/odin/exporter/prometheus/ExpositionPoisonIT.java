package dev.odin.exporter.prometheus;

import static dev.odin.testing.Otlp.CUMULATIVE;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.expHistogram;
import static dev.odin.testing.Otlp.expPoint;
import static dev.odin.testing.Otlp.gauge;
import static dev.odin.testing.Otlp.histogram;
import static dev.odin.testing.Otlp.histogramPoint;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static dev.odin.testing.Otlp.summary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.TokensFile;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 13, findings 2, 5 and the metric items of 8, over the real listeners: every data point
 * that used to take /metrics down (HTTP 500 for every tenant) is refused at ingest with a precise
 * partial_success message, over OTLP/HTTP and gRPC alike, and /metrics keeps answering 200 in the
 * text, OpenMetrics and protobuf formats. Also the length limits and the per-tenant series cap.
 */
class ExpositionPoisonIT extends OdinIntegrationTest {

    static final String TOKEN = "poison-token-0123456789";
    static final String FLOOD = "flood-token-0123456789";
    static final String OTHER = "other-token-0123456789";
    private static final Path TOKENS = TokensFile.create(TOKEN + " poison", FLOOD + " flood", OTHER + " other");
    private static ManagedChannel channel;


    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
        registry.add("odin.auth.tenant-label", () -> "tenant");
        registry.add("odin.metrics.max-series", () -> "2000");
        registry.add("odin.metrics.max-series-per-tenant", () -> "300");
    }

    @BeforeAll
    static void noChannelYet() {
        channel = null;
    }

    @AfterAll
    static void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ExportMetricsServiceResponse http(String token, ExportMetricsServiceRequest req) throws Exception {
        HttpResponse<byte[]> r = post("/v1/metrics", "application/x-protobuf", req.toByteArray(),
                "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        return ExportMetricsServiceResponse.parseFrom(r.body());
    }

    private ExportMetricsServiceResponse grpc(String token, ExportMetricsServiceRequest req) {
        if (channel == null) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        }
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetricsServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(10, TimeUnit.SECONDS).export(req);
    }

    /** /metrics answers 200 in all three formats; @return the text exposition */
    private Exposition scrapeAllFormats() throws Exception {
        for (String accept : new String[] {"application/openmetrics-text;version=1.0.0",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/metrics")).timeout(Duration.ofSeconds(30))
                    .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(accept + ": " + new String(r.body())).isEqualTo(200);
            assertThat(r.body()).isNotEmpty();
        }
        return scrape(); // text; fails on anything but 200
    }

    private static Metric counter(String name, double v) {
        return sum(name, "", true, CUMULATIVE, point(attrs(), T0, T0 + SECOND, v));
    }

    private static SummaryDataPoint summaryPoint(java.util.List<io.opentelemetry.proto.common.v1.KeyValue> attrs,
            double... quantiles) {
        SummaryDataPoint.Builder b = SummaryDataPoint.newBuilder().addAllAttributes(attrs).setCount(3).setSum(6)
                .setStartTimeUnixNano(T0).setTimeUnixNano(T0 + SECOND);
        for (double q : quantiles) {
            b.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q).setValue(1));
        }
        return b.build();
    }

    /** name of the case, the metrics of one request (the last one is refused), the message expected. */
    static Stream<Arguments> poisons() {
        return Stream.of(
                Arguments.of("negative cumulative counter", new Metric[] {counter("poison.neg", -5)},
                        "metric 'poison.neg': cumulative value -5.0 on a monotonic sum: a counter cannot be negative"),
                Arguments.of("le on a histogram", new Metric[] {histogram("poison.le", "", CUMULATIVE,
                        histogramPoint(attrs("le", "0.5"), T0, T0 + SECOND, 3, new double[] {1}, 1, 2))},
                        "metric 'poison.le': attribute 'le' is reserved"),
                Arguments.of("quantile on a summary", new Metric[] {summary("poison.quantile", "",
                        summaryPoint(attrs("quantile", "x"), 0.5))},
                        "metric 'poison.quantile': attribute 'quantile' is reserved"),
                Arguments.of("repeated quantile", new Metric[] {summary("poison.quantiles", "",
                        summaryPoint(attrs(), 0.0, 0.5, -0.0))},
                        "metric 'poison.quantiles': quantile -0.0 appears twice"),
                Arguments.of("negative zero threshold", new Metric[] {expHistogram("poison.zt", "", CUMULATIVE,
                        expPoint(attrs(), T0, T0 + SECOND, 2, 1, 3, 0, 1, 1).toBuilder().setZeroThreshold(-1).build())},
                        "metric 'poison.zt': zero threshold -1.0 must be a number of at least 0"),
                Arguments.of("NaN zero threshold", new Metric[] {expHistogram("poison.ztnan", "", CUMULATIVE,
                        expPoint(attrs(), T0, T0 + SECOND, 2, 1, 3, 0, 1, 1).toBuilder().setZeroThreshold(Double.NaN)
                                .build())},
                        "metric 'poison.ztnan': zero threshold NaN must be a number of at least 0"),
                Arguments.of("zero count of 2^63", new Metric[] {expHistogram("poison.zc", "", CUMULATIVE,
                        expPoint(attrs(), T0, T0 + SECOND, 2, 0, 3, 0, 1).toBuilder().setZeroCount(Long.MIN_VALUE)
                                .setCount(Long.MIN_VALUE + 1).build())},
                        "metric 'poison.zc': zero count 9223372036854775808 or count 9223372036854775809 is past 2^63 - 1"),
                Arguments.of("bucket index beyond doubles", new Metric[] {expHistogram("poison.offset", "", CUMULATIVE,
                        expPoint(attrs(), T0, T0 + SECOND, 0, 0, 3, Integer.MAX_VALUE - 1, 1, 1))},
                        "metric 'poison.offset': bucket indexes 2147483646 to 2147483647 are outside the range"),
                Arguments.of("histogram count of 2^63", new Metric[] {histogram("poison.count", "", CUMULATIVE,
                        histogramPoint(attrs(), T0, T0 + SECOND, 3, new double[0]).toBuilder().setCount(Long.MIN_VALUE)
                                .build())},
                        "metric 'poison.count': count 9223372036854775808 is past 2^63 - 1"),
                Arguments.of("start time past 2262", new Metric[] {sum("poison.start", "", true, CUMULATIVE,
                        point(attrs(), -1, T0, 1))},
                        "metric 'poison.start': start time 18446744073709551615 ns is out of range"),
                Arguments.of("counter c.a.b and gauge c.a_b", new Metric[] {counter("c.a.b", 1),
                        gauge("c.a_b", "", point(attrs(), 0, T0, 1))},
                        "metric c_a_b (gauge) would expose c_a_b, which c_a_b_total (counter) already exposes"),
                Arguments.of("gauge and counter :foo::bar", new Metric[] {gauge(":foo::bar", "", point(attrs(), 0, T0, 1)),
                        counter(":foo::bar", 1)},
                        "metric :foo::bar_total (counter) would expose :foo::bar, which :foo::bar (gauge) already exposes"),
                Arguments.of("two gauges into one", new Metric[] {gauge("g.merge", "", point(attrs(), 0, T0, 1)),
                        gauge("g_merge", "", point(attrs(), 0, T0, 2))},
                        "OTLP metric 'g_merge' translates to g_merge, which is already made from OTLP metric 'g.merge'"),
                Arguments.of("gauge x_count beside histogram x", new Metric[] {histogram("hx", "", CUMULATIVE,
                        histogramPoint(attrs(), T0, T0 + SECOND, 3, new double[] {1}, 1, 2)),
                        gauge("hx_count", "", point(attrs(), 0, T0, 1))},
                        "metric hx_count (gauge) would expose hx_count, which hx (histogram) already exposes"),
                Arguments.of("histogram y beside gauge y_sum", new Metric[] {gauge("hy_sum", "", point(attrs(), 0, T0, 1)),
                        histogram("hy", "", CUMULATIVE, histogramPoint(attrs(), T0, T0 + SECOND, 3, new double[] {1}, 1, 2))},
                        "metric hy (histogram) would expose hy_sum, which hy_sum (gauge) already exposes"),
                Arguments.of("gauge z_created beside summary z", new Metric[] {summary("hz", "", summaryPoint(attrs(), 0.5)),
                        gauge("hz_created", "", point(attrs(), 0, T0, 1))},
                        "metric 'hz_created' becomes 'hz_created': The metric name must not include the '_created' suffix"),
                Arguments.of("gauge with one of ODIN's own names", new Metric[] {gauge("odin.series.live", "",
                        point(attrs(), 0, T0, 1))},
                        "metric odin_series_live (gauge) would expose odin_series_live, which odin_series_live"),
                Arguments.of("a 100,000-character name", new Metric[] {gauge("n".repeat(100_000), "", point(attrs(), 0, T0, 1))},
                        "is 100000 characters long, over the limit of 255 (odin.metrics.max-name-length)"),
                Arguments.of("a 200-character label key", new Metric[] {gauge("poison.key", "",
                        point(attrs("k".repeat(200), "v"), 0, T0, 1))},
                        "metric 'poison.key': an attribute key of 200 characters is over the limit of 128"
                                + " (odin.metrics.max-label-name-length)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisons")
    void refusedAtIngestOverHttpAndGrpcWhileMetricsStays200(String what, Metric[] metrics, String message)
            throws Exception {
        ExportMetricsServiceRequest req = request(attrs("service.name", "poison"), metrics);
        for (int transport = 0; transport < 2; transport++) {
            ExportMetricsServiceResponse resp = transport == 0 ? http(TOKEN, req) : grpc(TOKEN, req);
            String via = transport == 0 ? "OTLP/HTTP" : "OTLP/gRPC";
            assertThat(resp.getPartialSuccess().getRejectedDataPoints()).as(via).isEqualTo(1);
            assertThat(resp.getPartialSuccess().getErrorMessage()).as(via).startsWith("1 data points rejected: ")
                    .contains(message);
            scrapeAllFormats();
        }
        Exposition e = scrapeAllFormats();
        if (metrics.length > 1) {
            // the first of a clashing pair is kept and served
            assertThat(e.text()).contains("job=\"poison\"");
        }
        assertThat(e.samples().keySet()).noneMatch(k -> k.contains("poison_neg") || k.contains("poison_le")
                || k.contains("poison_zt") || k.contains("poison_zc") || k.contains("poison_count"));
    }

    @Test
    void refusalsAreCountedByReason() throws Exception {
        http(TOKEN, request(attrs("service.name", "poison"), counter("counted.neg", -1),
                gauge("c.counted", "", point(attrs(), 0, T0, 1)), counter("c_counted", 1)));
        Exposition e = scrapeAllFormats();
        assertThat(e.value("odin_otlp_rejected_total{reason=\"invalid_point\",signal=\"metrics\"}")).isPositive();
        assertThat(e.value("odin_otlp_rejected_total{reason=\"name_conflict\",signal=\"metrics\"}")).isPositive();
        assertThat(e.value("odin_metric_conflicts_total{kind=\"sample_name\"}")).isPositive();
        assertThat(e.value("odin_exposition_families_dropped_total")).isZero();
    }

    @Test
    void resourceAndScopeValuesAreCutToTheirLimit() throws Exception {
        String huge = "h".repeat(1_000_000);
        ExportMetricsServiceRequest req = request(attrs("service.name", "trim", "host.name", huge),
                io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder().setName("s").setVersion(huge).build(),
                gauge("trim.gauge", "", point(attrs(), 0, T0, 1)));
        assertThat(http(TOKEN, req).hasPartialSuccess()).isFalse();
        Exposition e = scrapeAllFormats();
        String info = e.metric("target_info").keySet().stream().filter(k -> k.contains("job=\"trim\"")).findFirst()
                .orElseThrow();
        assertThat(info).contains("host_name=\"" + "h".repeat(4096) + "\"").doesNotContain("h".repeat(4097));
        String series = e.metric("trim_gauge").keySet().iterator().next();
        assertThat(series).contains("otel_scope_version=\"" + "h".repeat(4096) + "\"").doesNotContain("h".repeat(4097));
        assertThat(e.value("odin_metrics_trimmed_total{what=\"resource_attribute\"}")).isPositive();
        assertThat(e.value("odin_metrics_trimmed_total{what=\"scope_attribute\"}")).isPositive();
    }

    @Test
    void ninetyMegabyteNamesCostNothing() throws Exception {
        // the red team's attack: 90 names of 1 MB; here 90 of 100 kB in three requests
        for (int r = 0; r < 3; r++) {
            Metric[] metrics = new Metric[30];
            for (int i = 0; i < metrics.length; i++) {
                metrics[i] = gauge((char) ('a' + i % 26) + "x".repeat(100_000) + r + "_" + i, "",
                        point(attrs(), 0, T0, 1));
            }
            ExportMetricsServiceResponse resp = grpc(TOKEN, request(attrs("service.name", "names"), metrics));
            assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(30);
        }
        Exposition e = scrapeAllFormats();
        assertThat(e.text()).doesNotContain("x".repeat(1000));
        assertThat(e.value("odin_otlp_rejected_total{reason=\"name_too_long\",signal=\"metrics\"}")).isGreaterThanOrEqualTo(90);
    }

    @Test
    void oneTenantCannotUseUpTheTotalCap() throws Exception {
        NumberDataPoint[] points = new NumberDataPoint[1000];
        for (int i = 0; i < points.length; i++) {
            points[i] = point(attrs("id", "f" + i), 0, T0, i);
        }
        ExportMetricsServiceResponse flood = http(FLOOD, request(attrs("service.name", "flood"),
                gauge("flood.gauge", "", points)));
        assertThat(flood.getPartialSuccess().getRejectedDataPoints()).isEqualTo(700);
        assertThat(flood.getPartialSuccess().getErrorMessage()).contains("new series of metric 'flood.gauge' refused:"
                + " tenant 'flood' already holds 300 series, its limit (odin.metrics.max-series-per-tenant = 300)");
        // a new metric of the same tenant is refused too, naming the same cap
        ExportMetricsServiceResponse more = grpc(FLOOD, request(attrs("service.name", "flood"),
                gauge("flood.more", "", point(attrs(), 0, T0, 1))));
        assertThat(more.getPartialSuccess().getErrorMessage()).contains("tenant 'flood' already holds 300 series");
        // another tenant still gets its new series
        NumberDataPoint[] few = java.util.Arrays.copyOf(points, 50);
        ExportMetricsServiceResponse other = grpc(OTHER, request(attrs("service.name", "other"),
                gauge("other.gauge", "", few)));
        assertThat(other.hasPartialSuccess()).isFalse();
        Exposition e = scrapeAllFormats();
        assertThat(e.metric("flood_gauge")).hasSize(300);
        assertThat(e.metric("other_gauge")).hasSize(50).allSatisfy((k, v) -> assertThat(k).contains("tenant=\"other\""));
        assertThat(e.value("odin_otlp_rejected_total{reason=\"tenant_series_limit\",signal=\"metrics\"}"))
                .isGreaterThanOrEqualTo(701);
        assertThat(e.value("odin_series_dropped_total{reason=\"tenant_limit\"}")).isGreaterThanOrEqualTo(701);
    }
}
