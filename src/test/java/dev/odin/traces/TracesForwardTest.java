package dev.odin.traces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.delivery.QueuedSender;
import dev.odin.exporter.otlp.OtlpExportProperties;
import dev.odin.exporter.otlp.OtlpExporter;
import dev.odin.signal.Signal;
import dev.odin.testing.Await;
import dev.odin.testing.HttpStandIn;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forward's own sender survives an endpoint that is down across a restart: nothing queued is lost. */
class TracesForwardTest {

    @TempDir
    Path dir;

    TracesForward forward(String endpoint) throws Exception {
        OtlpExportProperties c = new OtlpExportProperties();
        c.setEndpoint(endpoint);
        c.setSignals(List.of(Signal.TRACES));
        c.setMinBackoff(Duration.ofMillis(20));
        c.setMaxBackoff(Duration.ofMillis(200));
        TracesForward f = new TracesForward(new OtlpExporter("traces-export", c, dir, QueuedSender.Guard.NONE,
                new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofMillis(200)));
        f.start();
        return f;
    }

    @Test
    void queuedSpansOutliveARestartAndAnOutage() throws Exception {
        ExportTraceServiceRequest tool = SpanMetricsTest.fixture("http-json-tool/v1_traces_0003.json");
        ExportTraceServiceRequest chat = SpanMetricsTest.fixture("http-json-chat/v1_traces_0002.json");
        try (HttpStandIn endpoint = new HttpStandIn()) {
            endpoint.failNext(Integer.MAX_VALUE, 503);
            TracesForward first = forward(endpoint.url(""));
            assertThat(first.exporter().enqueue(Signal.TRACES, tool.toByteArray(), 6)).isTrue();
            assertThat(first.exporter().enqueue(Signal.TRACES, chat.toByteArray(), 2)).isTrue();
            assertThat(first.exporter().name()).isEqualTo("traces-export");
            Await.until("a refused attempt", Duration.ofSeconds(20), () -> endpoint.answered() > 0);
            first.stop();
            first.close();
            assertThat(Files.isDirectory(dir.resolve("traces-export-queue"))).isTrue();
            assertThat(endpoint.drain()).isEmpty();

            // the endpoint is back, and so is ODIN: the backlog goes out, both requests
            endpoint.failNext(0);
            TracesForward second = forward(endpoint.url(""));
            try {
                List<String> names = new ArrayList<>();
                Await.until("the backlog delivered", Duration.ofSeconds(30), () -> {
                    HttpStandIn.Request r;
                    while ((r = endpoint.next(Duration.ofMillis(100))) != null) {
                        assertThat(r.path()).isEqualTo("/v1/traces");
                        byte[] body = "gzip".equals(r.header("Content-Encoding"))
                                ? new GZIPInputStream(new ByteArrayInputStream(r.bytes())).readAllBytes() : r.bytes();
                        ExportTraceServiceRequest got = ExportTraceServiceRequest.parseFrom(body);
                        got.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
                                ss.getSpansList().forEach(s -> names.add(SpanMetrics.hex(s.getSpanId().toByteArray())))));
                    }
                    return names.size() >= 8;
                });
                assertThat(names).hasSize(8);
                // unchanged: the same spans, ids and all
                assertThat(names).contains("06d97de67e896a7a", "4386719a259c8850", "bfee5735bcd8669a", "fe493e9a0dd2b9d2");
            } finally {
                second.stop();
                second.close();
            }
        }
    }

    @Test
    void aBadEndpointRefusesTheStartNamingItsOwnSetting() {
        TracesForward.checkEndpoint("http://tempo:4318");
        TracesForward.checkEndpoint("https://collector.example/otlp/");
        for (String bad : new String[] {"tempo:4318", "ftp://tempo", "http://", "http://tempo:4318/?x=1", "http://a b"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TracesForward.checkEndpoint(bad))
                    .isInstanceOf(dev.odin.signal.RefusedStartException.class)
                    .hasMessageContaining("odin.traces.otlp-endpoint").hasMessageContaining("ODIN_TRACES_OTLPENDPOINT");
        }
    }
}
