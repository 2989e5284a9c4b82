package dev.odin.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.nio.charset.StandardCharsets;

/**
 * A large, valid OTLP/JSON metrics request shaped like Claude Code's (a handful of metrics, many
 * data points with session, user and model attributes), as JsonFormat prints it: the input of
 * the JSON memory bench and of LargeJsonRequestsIT.
 */
public final class LargeOtlpJson {

    private LargeOtlpJson() {
    }

    /** JSON bytes per data point, about. */
    public static final int BYTES_PER_POINT = 570;

    /** @param points data points in all; about {@link #BYTES_PER_POINT} bytes of JSON each */
    public static ExportMetricsServiceRequest request(int points) {
        String[] names = {"claude_code.token.usage", "claude_code.cost.usage", "claude_code.lines_of_code.count",
            "claude_code.active_time.total", "claude_code.session.count"};
        Metric.Builder[] metrics = new Metric.Builder[names.length];
        for (int m = 0; m < names.length; m++) {
            metrics[m] = Metric.newBuilder().setName(names[m]).setUnit("1").setDescription("bench " + names[m]);
        }
        for (int i = 0; i < points; i++) {
            NumberDataPoint p = NumberDataPoint.newBuilder()
                    .addAllAttributes(Otlp.attrs("user.id", String.format("%064x", i / 50),
                            "session.id", String.format("%08x-56ee-40ec-a88a-%012x", i, i * 7L),
                            "organization.id", "0b9b6c1e-4a4f-4a8e-9d1a-3f1f0c2a7e11",
                            "terminal.type", "xterm-256color",
                            "model", i % 2 == 0 ? "claude-sonnet-4-5" : "claude-opus-4-1",
                            "type", i % 3 == 0 ? "input" : "output"))
                    .setStartTimeUnixNano(Otlp.T0).setTimeUnixNano(Otlp.T0 + Otlp.SECOND + i)
                    .setAsDouble(i * 0.25).build();
            metrics[i % names.length].getGaugeBuilder().addDataPoints(p);
        }
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        io.opentelemetry.proto.metrics.v1.ScopeMetrics.Builder scope = io.opentelemetry.proto.metrics.v1.ScopeMetrics
                .newBuilder().setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                        .setName("com.anthropic.claude_code").setVersion("2.1.332"));
        for (Metric.Builder m : metrics) {
            scope.addMetrics(m);
        }
        b.addResourceMetricsBuilder().setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                .addAllAttributes(Otlp.attrs("service.name", "claude-code", "service.version", "2.1.332",
                        "host.arch", "amd64", "os.type", "linux"))).addScopeMetrics(scope);
        return b.build();
    }

    /** The request as OTLP/JSON, compact. */
    public static byte[] json(ExportMetricsServiceRequest request) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(request).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** About the given size of JSON, in bytes. */
    public static byte[] jsonOfAbout(long bytes) {
        return json(request((int) (bytes / BYTES_PER_POINT)));
    }
}
