package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.TokensFile;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Bearer tokens on both OTLP receivers: no token, a wrong one and a valid one over each; a token
 * file rotated while ODIN runs; two tenants' events reaching Loki under their own X-Scope-OrgID
 * and with the tenant label on their streams and series.
 */
class AuthIT extends OdinIntegrationTest {

    static final String TEAM_A = "a-token-0123456789abcdef";
    static final String TEAM_B = "b-token-0123456789abcdef";
    static final String ROTATED = "c-token-0123456789abcdef";

    private static final StandInLoki LOKI = StandInLoki.open();
    private static final Path TOKENS = TokensFile.create("# tokens for AuthIT", TEAM_A + " team-a", TEAM_B + " team-b");



    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
        registry.add("odin.auth.reload-interval", () -> "200ms");
        registry.add("odin.auth.tenant-label", () -> "tenant");
        registry.add("odin.loki.url", LOKI::url);
        registry.add("odin.loki.batch-wait", () -> "100ms");
    }

    @AfterAll
    static void stop() throws IOException {
        LOKI.close();
        Files.deleteIfExists(TOKENS);
    }

    private static byte[] metrics(String name) {
        return Otlp.request(Otlp.attrs("service.name", "auth-it"), Otlp.sum(name, "1", true, Otlp.CUMULATIVE,
                Otlp.point(Otlp.attrs(), Otlp.T0, Otlp.T0 + Otlp.SECOND, 3))).toByteArray();
    }

    @Test
    void httpWithoutWrongAndValidToken() throws Exception {
        HttpResponse<byte[]> none = post("/v1/metrics", "application/x-protobuf", metrics("auth_http_none"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"odin\"");
        Status status = Status.parseFrom(none.body());
        assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED.value());
        assertThat(status.getMessage()).isEqualTo("missing credentials: send 'Authorization: Bearer <token>'");

        HttpResponse<byte[]> wrong = post("/v1/metrics", "application/json", "{}".getBytes(),
                "Authorization", "Bearer not-a-valid-token-at-all");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(new String(wrong.body())).contains("\"message\":\"the bearer token is not valid\"");

        // a client cannot pick its tenant: Odin-Tenant is ODIN's to set
        HttpResponse<byte[]> ok = post("/v1/metrics", "application/x-protobuf", metrics("auth_http_ok"),
                "Authorization", "Bearer " + TEAM_A, "Odin-Tenant", "team-b");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(scrape().metric("auth_http_ok_total")).containsOnlyKeys(
                "auth_http_ok_total{job=\"auth-it\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\",tenant=\"team-a\"}");
        assertThat(scrape().metric("auth_http_none_total")).isEmpty();
        assertThat(scrape().value("odin_auth_refused_total{reason=\"missing\",transport=\"http\"}")).isGreaterThanOrEqualTo(1.0);
    }

    private io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse grpcExport(String token,
            String name) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            MetricsServiceGrpc.MetricsServiceBlockingStub stub = MetricsServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            if (token != null) {
                Metadata md = new Metadata();
                md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), token);
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
            }
            return stub.export(ExportMetricsServiceRequest.parseFrom(metrics(name)));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void grpcWithoutWrongAndValidToken() throws Exception {
        for (String token : new String[] {null, "Bearer wrong-token-0123456789", "Basic abc"}) {
            try {
                grpcExport(token, "auth_grpc_refused");
                throw new AssertionError("accepted " + token);
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
            }
        }
        grpcExport("Bearer " + TEAM_B, "auth_grpc_ok");
        assertThat(scrape().metric("auth_grpc_ok_total")).containsOnlyKeys(
                "auth_grpc_ok_total{job=\"auth-it\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\",tenant=\"team-b\"}");
        assertThat(scrape().metric("auth_grpc_refused_total")).isEmpty();
        assertThat(scrape().value("odin_auth_refused_total{reason=\"malformed\",transport=\"grpc\"}")).isEqualTo(1.0);
    }

    /** As Kubernetes updates a mounted Secret: the new content appears at once, never half-written. */
    private static void replaceTokens(String content) throws IOException {
        Path tmp = TOKENS.resolveSibling(TOKENS.getFileName() + ".new");
        Files.writeString(tmp, content);
        Files.move(tmp, TOKENS, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void rotatedTokensFileTakesEffectWithoutRestart() throws Exception {
        String before = Files.readString(TOKENS);
        try {
            replaceTokens(before + ROTATED + "\n");
            Await.until("the rotated token to be accepted", Duration.ofSeconds(10), () ->
                    post("/v1/metrics", "application/x-protobuf", metrics("auth_rotated"),
                            "Authorization", "Bearer " + ROTATED).statusCode() == 200);
            grpcExport("Bearer " + ROTATED, "auth_rotated_grpc");
            // a tenant-less token adds no tenant label
            assertThat(scrape().metric("auth_rotated_total")).containsOnlyKeys("auth_rotated_total{job=\"auth-it\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\"}");
        } finally {
            replaceTokens(before);
        }
        Await.until("the removed token to be refused", Duration.ofSeconds(10), () ->
                post("/v1/metrics", "application/x-protobuf", metrics("auth_rotated"),
                        "Authorization", "Bearer " + ROTATED).statusCode() == 401);
    }

    @Test
    void eachTenantsEventsReachLokiUnderItsOwnOrgId() throws Exception {
        emit(OtlpGrpcLogRecordExporter.builder().setEndpoint(grpcEndpoint())
                .addHeader("Authorization", "Bearer " + TEAM_A).build(), "event-of-team-a");
        emit(OtlpHttpLogRecordExporter.builder().setEndpoint(otlpHttp("/v1/logs"))
                .addHeader("Authorization", "Bearer " + TEAM_B).build(), "event-of-team-b");
        Await.until("both tenants' events", Duration.ofSeconds(20), () ->
                LOKI.linesByTenant().getOrDefault("team-a", List.of()).size() >= 2
                        && LOKI.linesByTenant().getOrDefault("team-b", List.of()).size() >= 2);
        String streamA = "{service_name=\"tenant-test\", tenant=\"team-a\"}";
        String streamB = "{service_name=\"tenant-test\", tenant=\"team-b\"}";
        assertThat(LOKI.linesByTenant().get("team-a")).containsExactlyInAnyOrder(
                streamA + " event-of-team-a", streamA + " event-of-team-a");
        assertThat(LOKI.linesByTenant().get("team-b")).containsExactlyInAnyOrder(
                streamB + " event-of-team-b", streamB + " event-of-team-b");
    }

    private static void emit(LogRecordExporter exporter, String body) {
        SdkLoggerProvider provider = SdkLoggerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "tenant-test")))
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter)).build();
        Logger logger = provider.get("odin.auth.test");
        for (int i = 0; i < 2; i++) {
            logger.logRecordBuilder().setBody(body).setTimestamp(Otlp.T0 + i, TimeUnit.NANOSECONDS).emit();
        }
        assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
