package dev.odin.exporter.prometheus.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.series.GaugeSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesStore;
import dev.odin.testing.OdinIntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Clients that ask for /metrics and do not read cannot take the scrape away from the others: a
 * client over its share of scrapes at once is answered 429 at once, another address still gets
 * its 200, the total is capped too, and a write the client does not take for the connection
 * timeout fails and frees its slot. The addresses are loopback ones (127.0.0.2 is this machine
 * too), so the test needs no network.
 */
@TestPropertySource(properties = {"odin.metrics.scrape-max-per-client=4", "odin.metrics.scrape-max-concurrent=6",
        "server.tomcat.connection-timeout=2s"})
class ScrapeAdmissionIT extends OdinIntegrationTest {

    @Autowired
    SeriesStore store;

    @Autowired
    MeterRegistry meters;

    @Test
    void stalledClientsAreBoundedAndFreed() throws Exception {
        // some 7 MB of text: more than the loopback socket buffers of a client that does not read
        String pad = "x".repeat(120);
        MetricFamily f = store.family("admission_it_big", MetricFamily.Type.GAUGE, "big");
        for (int i = 0; i < 40_000; i++) {
            store.series(f, LabelSet.of("id", "s" + i, "pad", pad), false, GaugeSeries::create).set(i, 1);
        }
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                stalled.add(askAndDoNotRead("127.0.0.1"));
            }
            await(() -> inFlight(), 4);
            // the fifth from the same address: refused at once, with when to come back
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.body()).contains("client_limit");
            assertThat(refusals("client_limit")).isEqualTo(1.0);

            // another client is scraped in full meanwhile
            assertThat(scrapeFrom("127.0.0.2")).startsWith("HTTP/1.1 200")
                    .contains("admission_it_big{id=\"s39999\"");

            // the total: two more stalled clients elsewhere fill it, and a third address is refused
            stalled.add(askAndDoNotRead("127.0.0.3"));
            stalled.add(askAndDoNotRead("127.0.0.3"));
            await(() -> inFlight(), 6);
            assertThat(scrapeFrom("127.0.0.4")).startsWith("HTTP/1.1 429").contains("total_limit");
            assertThat(refusals("total_limit")).isEqualTo(1.0);

            // the stalled writes time out (server.tomcat.connection-timeout) while those clients
            // still hold their connections open: their slots come back
            await(() -> inFlight(), 0);
            assertThat(scrapeFrom("127.0.0.1")).startsWith("HTTP/1.1 200").contains("admission_it_big{id=\"s39999\"");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private double inFlight() {
        return meters.get("odin.scrape.in.flight").gauge().value();
    }

    private double refusals(String reason) {
        return meters.get("odin.scrape.refused").tag("reason", reason).counter().count();
    }

    private Socket askAndDoNotRead(String from) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", managementPort), 5000);
        OutputStream out = s.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** The whole HTTP/1.0 exchange (the server closes after it) from a given source address. */
    private String scrapeFrom(String from) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", managementPort), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void await(DoubleSupplier value, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (value.getAsDouble() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(value.getAsDouble()).isEqualTo(expected);
    }
}
