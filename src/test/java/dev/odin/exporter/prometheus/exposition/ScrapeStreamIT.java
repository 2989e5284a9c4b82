package dev.odin.exporter.prometheus.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.series.GaugeSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesStore;
import dev.odin.testing.OdinIntegrationTest;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * /metrics over HTTP, streamed: the same content negotiation and Content-Type values as Spring
 * Boot's endpoint, the includedNames filter, and a client that does not read does not hold up others.
 * Its own application (more series than the shared one's caps allow).
 */
@TestPropertySource(properties = {"odin.metrics.max-series=400000", "odin.metrics.max-series-per-metric=100000"})
class ScrapeStreamIT extends OdinIntegrationTest {

    @Autowired
    SeriesStore store;

    private HttpResponse<byte[]> get(String query, String accept) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics" + query))
                .timeout(Duration.ofSeconds(30)).header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void contentTypesNegotiationAndTheNameFilterAreSpringBootsOwn() throws Exception {
        MetricFamily f = store.family("stream_it_gauge", MetricFamily.Type.GAUGE, "a gauge");
        store.series(f, LabelSet.of("k", "v\"1"), false, GaugeSeries::create).set(3, 1);

        HttpResponse<byte[]> text = get("", "text/plain");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain;version=0.0.4;charset=utf-8");
        assertThat(new String(text.body(), StandardCharsets.UTF_8)).contains("stream_it_gauge{k=\"v\\\"1\"} 3.0\n")
                .contains("# TYPE jvm_threads_live_threads gauge");

        HttpResponse<byte[]> om = get("", "application/openmetrics-text;version=1.0.0");
        assertThat(om.statusCode()).isEqualTo(200);
        assertThat(om.headers().firstValue("Content-Type"))
                .hasValue("application/openmetrics-text;version=1.0.0;charset=utf-8");
        assertThat(new String(om.body(), StandardCharsets.UTF_8)).contains("# TYPE stream_it_gauge gauge\n")
                .endsWith("# EOF\n");

        HttpResponse<byte[]> pb = get("", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited");
        assertThat(pb.statusCode()).isEqualTo(200);
        assertThat(pb.headers().firstValue("Content-Type")).hasValue(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        // the whole body parses as delimited MetricFamily messages: the store's (streamed) and the
        // registry's other meters (through client_java)
        List<Metrics.MetricFamily> families = ProtobufFamilyWriterTest.parse(pb.body());
        List<String> names = families.stream().map(Metrics.MetricFamily::getName).toList();
        assertThat(names).contains("jvm_threads_live_threads").doesNotHaveDuplicates();
        Metrics.MetricFamily gauge = families.stream().filter(m -> m.getName().equals("stream_it_gauge")).findFirst()
                .orElseThrow();
        assertThat(gauge.getType()).isEqualTo(Metrics.MetricType.GAUGE);
        assertThat(gauge.getHelp()).isEqualTo("a gauge");
        assertThat(gauge.getMetricList()).singleElement().satisfies(m -> {
            assertThat(m.getLabel(0).getName()).isEqualTo("k");
            assertThat(m.getLabel(0).getValue()).isEqualTo("v\"1");
            assertThat(m.getGauge().getValue()).isEqualTo(3.0);
        });
        assertThat(ProtobufFamilyWriterTest.parse(get("?includedNames=stream_it_gauge", pb.headers()
                .firstValue("Content-Type").orElseThrow()).body())).containsExactly(gauge);

        // no Accept the endpoint can serve: refused, as Spring Boot refuses it
        assertThat(get("", "application/json").statusCode()).isEqualTo(406);

        HttpResponse<byte[]> filtered = get("?includedNames=stream_it_gauge", "text/plain");
        assertThat(new String(filtered.body(), StandardCharsets.UTF_8))
                .isEqualTo("# HELP stream_it_gauge a gauge\n# TYPE stream_it_gauge gauge\n"
                        + "stream_it_gauge{k=\"v\\\"1\"} 3.0\n");
    }

    @Test
    void aClientThatDoesNotReadHoldsUpNoOtherScrape() throws Exception {
        // some 30 MB of text: more than the loopback socket buffers hold (a few MB), so the writer
        // blocks on that client
        String pad = "x".repeat(120);
        for (int m = 0; m < 4; m++) {
            MetricFamily f = store.family("stream_it_big_" + m, MetricFamily.Type.GAUGE, "big");
            for (int i = 0; i < 50_000; i++) {
                store.series(f, LabelSet.of("id", "s" + i, "pad", pad), false, GaugeSeries::create).set(i, 1);
            }
        }
        try (Socket slow = new Socket("127.0.0.1", managementPort)) {
            OutputStream req = slow.getOutputStream();
            req.write(("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            req.flush();
            Thread.sleep(500);
            // another scrape, and the series' ingest, go on while that one is stuck on its socket
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> other = get("?includedNames=stream_it_big_0", "text/plain");
                assertThat(other.statusCode()).isEqualTo(200);
                assertThat(new String(other.body(), StandardCharsets.UTF_8)).contains("stream_it_big_0{id=\"s49999\"");
            }
            ((GaugeSeries) store.familyIfPresent("stream_it_big_3").get(LabelSet.of("id", "s7", "pad", pad))).set(-1, 2);
            // and the slow one gets its whole body once it reads
            InputStream in = slow.getInputStream();
            byte[] all = in.readAllBytes();
            String body = new String(all, StandardCharsets.UTF_8);
            assertThat(all.length).isGreaterThan(25_000_000);
            assertThat(body).startsWith("HTTP/1.1 200").contains("stream_it_big_3{id=\"s49999\"")
                    .contains("# TYPE stream_it_big_0 gauge");
        }
    }
}
