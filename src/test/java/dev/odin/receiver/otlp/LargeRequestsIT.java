package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.bench.DecodedCost;
import dev.odin.testing.OdinProcess;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 4 and 8 (gzip over gRPC), with the gateway's JVM settings (256 MB heap): four
 * senders over HTTP and four over gRPC, each sending valid 4.6 MB requests of 32,000 points (about the 60,000 smaller points of the finding)
 * back to back, used to exhaust the heap and leave ODIN half-dead. Now every answer is a success
 * or a retryable refusal, the process lives, and /healthz and /metrics answer. A gRPC message
 * that inflates past the limit is RESOURCE_EXHAUSTED, not UNKNOWN.
 */
class LargeRequestsIT {

    static final MethodDescriptor<byte[], byte[]> EXPORT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(MetricsServiceGrpc.getExportMethod()
                    .getFullMethodName())
            .setRequestMarshaller(RawBytesMarshaller.INSTANCE).setResponseMarshaller(RawBytesMarshaller.INSTANCE)
            .build();

    @TempDir
    Path data;

    @Test
    void largeValidRequestsAreTakenOrRefusedRetryablyNeverKillTheProcess() throws Exception {
        byte[] body = DecodedCost.request(32_000).toByteArray();
        assertThat(body.length).isGreaterThan(4_000_000);
        try (OdinProcess odin = OdinProcess.start(data, List.of("-XX:+UseParallelGC", "-Xms64m", "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError"), "--odin.metrics.max-series=200000",
                "--odin.otlp.grpc.max-message-size=8MB")) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.grpcPort).usePlaintext()
                    .maxInboundMessageSize(16 << 20).build();
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            ExecutorService senders = Executors.newFixedThreadPool(8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            try {
                for (int s = 0; s < 8; s++) {
                    boolean overGrpc = s % 2 == 1;
                    senders.submit(() -> {
                        for (int round = 0; round < 6 && System.nanoTime() < deadline; round++) {
                            String outcome;
                            if (overGrpc) {
                                try {
                                    ClientCalls.blockingUnaryCall(channel, EXPORT,
                                            CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), body);
                                    outcome = "grpc OK";
                                } catch (StatusRuntimeException e) {
                                    outcome = "grpc " + e.getStatus().getCode();
                                }
                            } else {
                                try {
                                    outcome = "http " + http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + odin.httpPort + "/v1/metrics")).timeout(Duration.ofSeconds(60))
                                            .header("Content-Type", "application/x-protobuf")
                                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                            HttpResponse.BodyHandlers.discarding()).statusCode();
                                } catch (Exception e) {
                                    outcome = "http " + e.getClass().getSimpleName();
                                }
                            }
                            outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                        }
                        return null;
                    });
                }
                senders.shutdown();
                assertThat(senders.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                senders.shutdownNow();
            }
            System.out.println("LargeRequestsIT outcomes: " + outcomes);
            assertThat(outcomes.keySet()).as("every answer a success or a retryable refusal")
                    .isSubsetOf("http 200", "http 503", "grpc OK", "grpc RESOURCE_EXHAUSTED", "grpc UNAVAILABLE");
            assertThat(outcomes.getOrDefault("http 200", new AtomicInteger()).get()
                    + outcomes.getOrDefault("grpc OK", new AtomicInteger()).get()).isPositive();
            assertThat(odin.alive()).isTrue();
            for (String path : new String[] {"/healthz", "/metrics"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + odin.managementPort + path)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
            }

            // gzip: 1 MB on the wire that inflates to 16 MB, past the 8 MB message limit
            byte[] zeros = new byte[16 << 20];
            Status status = null;
            try {
                ClientCalls.blockingUnaryCall(channel, EXPORT, CallOptions.DEFAULT.withCompression("gzip")
                        .withDeadlineAfter(30, TimeUnit.SECONDS), zeros);
            } catch (StatusRuntimeException e) {
                status = e.getStatus();
            }
            assertThat(status).isNotNull();
            assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(status.getDescription()).contains("odin.otlp.grpc.max-message-size");
            channel.shutdownNow();
            assertThat(odin.output()).doesNotContain("OutOfMemoryError");
        }
        assertThat(Files.exists(data)).isTrue();
    }
}
