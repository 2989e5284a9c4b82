package dev.odin.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.OdinApplication;
import dev.odin.signal.ExportResult;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.signal.OtlpRequestException;
import dev.odin.receiver.otlp.RawBytesMarshaller;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.series.SeriesStore;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Property-based fuzzing of every receiver with mutations of the real captured requests
 * (src/test/resources/fixtures): 100,000 cases per run (20,000 OTLP/HTTP protobuf, 10,000 OTLP/HTTP JSON,
 * 25,000 OTLP/gRPC, 10,000 Alertmanager webhook, 35,000 well-formed hostile messages into the routes). Whatever comes in, ODIN answers with a success or
 * a clear client error (never a 5xx, an INTERNAL or UNKNOWN gRPC status, or no answer within 10
 * s), no exception other than the declared refusal escapes a route, and memory stays bounded
 * (series within the store's limit, live heap well under the maximum). A failing case is
 * reported with the seed that reproduces it.
 */
class ReceiverFuzzIT {

    private static final Path FIXTURES = dev.odin.testing.Fixtures.DIR;
    private static final Set<Integer> HTTP_OK = Set.of(200, 400, 413, 415);
    private static final Set<io.grpc.Status.Code> GRPC_OK = Set.of(io.grpc.Status.Code.OK,
            io.grpc.Status.Code.INVALID_ARGUMENT, io.grpc.Status.Code.RESOURCE_EXHAUSTED);
    private static final int MAX_SERIES = 20_000;

    private static ConfigurableApplicationContext odin;
    private static HttpClient http;
    private static ManagedChannel channel;
    private static ProducerTemplate producer;
    private static Endpoint metricsRoute;
    private static Endpoint logsRoute;
    private static int httpPort;
    private static final List<byte[]> PROTOBUF_METRICS = new ArrayList<>();
    private static final List<byte[]> PROTOBUF_LOGS = new ArrayList<>();
    private static final List<byte[]> JSON_METRICS = new ArrayList<>();
    private static final List<byte[]> JSON_LOGS = new ArrayList<>();
    private static final List<byte[]> WEBHOOKS = new ArrayList<>();
    private static final List<ExportMetricsServiceRequest> METRIC_MESSAGES = new ArrayList<>();
    private static final List<ExportLogsServiceRequest> LOG_MESSAGES = new ArrayList<>();
    private static final AtomicLong CASES = new AtomicLong();

    @BeforeContainer
    static void start() throws Exception {
        Path data = Files.createTempDirectory("odin-fuzz");
        odin = new SpringApplicationBuilder(OdinApplication.class).run("--server.port=0", "--management.server.port=0",
                "--odin.otlp.grpc.port=0", "--odin.data-dir=" + data, "--odin.metrics.max-series=" + MAX_SERIES,
                "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false",
                "--logging.level.root=WARN", "--logging.level.dev.odin=ERROR");
        httpPort = ((ServletWebServerApplicationContext) odin).getWebServer().getPort();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.getBean(OtlpGrpcServer.class).port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        CamelContext camel = odin.getBean(CamelContext.class);
        producer = camel.createProducerTemplate();
        metricsRoute = camel.getEndpoint("direct:otlp-metrics");
        logsRoute = camel.getEndpoint("direct:otlp-logs");
        try (var files = Files.walk(FIXTURES.resolve("claude-code"))) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                byte[] b = Files.readAllBytes(p);
                String name = p.getFileName().toString();
                boolean metrics = name.contains("metrics");
                if (name.endsWith(".pb")) {
                    (metrics ? PROTOBUF_METRICS : PROTOBUF_LOGS).add(b);
                } else if (name.endsWith(".json")) {
                    (metrics ? JSON_METRICS : JSON_LOGS).add(b);
                }
            }
        }
        for (byte[] j : JSON_METRICS) {
            ExportMetricsServiceRequest.Builder m = ExportMetricsServiceRequest.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(new String(j, java.nio.charset.StandardCharsets.UTF_8), m);
            METRIC_MESSAGES.add(m.build());
            PROTOBUF_METRICS.add(m.build().toByteArray());
        }
        for (byte[] p : PROTOBUF_METRICS) {
            METRIC_MESSAGES.add(ExportMetricsServiceRequest.parseFrom(p));
        }
        for (byte[] j : JSON_LOGS) {
            ExportLogsServiceRequest.Builder l = ExportLogsServiceRequest.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(new String(j, java.nio.charset.StandardCharsets.UTF_8), l);
            LOG_MESSAGES.add(l.build());
            PROTOBUF_LOGS.add(l.build().toByteArray());
        }
        for (byte[] p : PROTOBUF_LOGS) {
            LOG_MESSAGES.add(ExportLogsServiceRequest.parseFrom(p));
        }
        for (String f : new String[] {"firing.json", "resolved.json", "truncated.json"}) {
            WEBHOOKS.add(Files.readAllBytes(FIXTURES.resolve("alertmanager").resolve(f)));
        }
        assertThat(PROTOBUF_METRICS).isNotEmpty();
        assertThat(PROTOBUF_LOGS).isNotEmpty();
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            // memory bounded: the series store within its limit, live heap well under the maximum
            SeriesStore store = odin.getBean(SeriesStore.class);
            assertThat(store.liveSeries()).isLessThanOrEqualTo(MAX_SERIES);
            assertThat(store.familyCount()).isLessThanOrEqualTo(MAX_SERIES);
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            assertThat(used).as("heap in use after " + CASES.get() + " cases")
                    .isLessThan(Runtime.getRuntime().maxMemory() / 2);
            assertThat(CASES.get()).as("cases run").isGreaterThanOrEqualTo(100_000);
            System.out.printf("fuzz: %d cases, %d series, heap %d MiB after GC%n", CASES.get(),
                    store.liveSeries(), used >> 20);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            odin.close();
        }
    }

    @Provide
    Arbitrary<Integer> fixture() {
        return Arbitraries.integers().between(0, 1_000);
    }

    private static int post(String path, String contentType, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? Mutations.gzip(body) : body));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        CASES.incrementAndGet();
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] pick(List<byte[]> list, int i) {
        return list.get(i % list.size());
    }

    @Property(tries = 20_000, shrinking = ShrinkingMode.OFF)
    void otlpHttpProtobuf(@ForAll("fixture") int which, @ForAll long seed) throws Exception {
        Random r = new Random(seed);
        boolean metrics = r.nextBoolean();
        List<byte[]> pool = metrics ? PROTOBUF_METRICS : PROTOBUF_LOGS;
        byte[] body = Mutations.bytes(pick(pool, which), pick(pool, which + 1), r);
        int status = post(metrics ? "/v1/metrics" : "/v1/logs", "application/x-protobuf", body, r.nextInt(4) == 0);
        assertThat(status).as("seed %d", seed).isIn(HTTP_OK);
    }

    @Property(tries = 10_000, shrinking = ShrinkingMode.OFF)
    void otlpHttpJson(@ForAll("fixture") int which, @ForAll long seed) throws Exception {
        Random r = new Random(seed);
        boolean metrics = r.nextBoolean();
        byte[] base = pick(metrics ? JSON_METRICS : JSON_LOGS, which);
        byte[] body = r.nextInt(3) == 0 ? Mutations.bytes(base, base, r) : Mutations.json(base, r);
        int status = post(metrics ? "/v1/metrics" : "/v1/logs", "application/json", body, r.nextInt(6) == 0);
        assertThat(status).as("seed %d", seed).isIn(HTTP_OK);
    }

    @Property(tries = 25_000, shrinking = ShrinkingMode.OFF)
    void otlpGrpc(@ForAll("fixture") int which, @ForAll long seed) {
        Random r = new Random(seed);
        boolean metrics = r.nextBoolean();
        List<byte[]> pool = metrics ? PROTOBUF_METRICS : PROTOBUF_LOGS;
        byte[] body = Mutations.bytes(pick(pool, which), pick(pool, which + 1), r);
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(metrics ? MetricsServiceGrpc.getExportMethod().getFullMethodName()
                        : LogsServiceGrpc.getExportMethod().getFullMethodName())
                .setRequestMarshaller(RawBytesMarshaller.INSTANCE).setResponseMarshaller(RawBytesMarshaller.INSTANCE)
                .build();
        CASES.incrementAndGet();
        io.grpc.Status.Code code = io.grpc.Status.Code.OK;
        try {
            ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    body);
        } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
        }
        assertThat(code).as("seed %d", seed).isIn(GRPC_OK);
    }

    @Property(tries = 10_000, shrinking = ShrinkingMode.OFF)
    void alertmanagerWebhook(@ForAll("fixture") int which, @ForAll long seed) throws Exception {
        Random r = new Random(seed);
        byte[] base = pick(WEBHOOKS, which);
        byte[] body = r.nextInt(3) == 0 ? Mutations.bytes(base, pick(WEBHOOKS, which + 1), r) : Mutations.json(base, r);
        int status = post("/alertmanager/webhook", "application/json", body, false);
        assertThat(status).as("seed %d", seed).isIn(200, 400, 413, 415);
    }

    /** Well-formed but hostile messages straight into the routes: only declared refusals may escape. */
    @Property(tries = 35_000, shrinking = ShrinkingMode.OFF)
    void routesTakeStructurallyMutatedMessages(@ForAll("fixture") int which, @ForAll long seed) {
        Random r = new Random(seed);
        boolean metrics = r.nextBoolean();
        Endpoint route = metrics ? metricsRoute : logsRoute;
        Exchange exchange = route.createExchange();
        exchange.setProperty(ExportResult.PROPERTY, new ExportResult(metrics ? Signal.METRICS : Signal.LOGS,
                Transport.GRPC));
        exchange.getMessage().setBody(metrics ? ProtoMutations.mutate(METRIC_MESSAGES.get(which % METRIC_MESSAGES.size()), r)
                : ProtoMutations.mutate(LOG_MESSAGES.get(which % LOG_MESSAGES.size()), r));
        CASES.incrementAndGet();
        producer.send(route, exchange);
        Exception e = exchange.getException();
        if (e != null && !(e instanceof OtlpRequestException)) {
            throw new AssertionError("seed " + seed + ": " + e, e);
        }
    }
}
