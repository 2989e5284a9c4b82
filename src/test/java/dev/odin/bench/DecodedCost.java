package dev.odin.bench;

import dev.odin.receiver.otlp.OtlpJson;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a decoded OTLP request costs in memory per byte of its body: the basis of
 * odin.admission.protobuf-cost-factor and json-cost-factor (docs/benchmarks.md). Builds a
 * Claude-Code-shaped request of 60,000 points (about the 4.65 MB of issue 13), decodes it several
 * times from protobuf and from OTLP/JSON, and reports the heap still held by the decoded messages
 * (retained) and the bytes allocated while decoding (transient), each per body byte.
 *
 * <p>Run: {@code bench/run.sh cost [points]}.
 */
public final class DecodedCost {

    public static void main(String[] args) {
        int points = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        ExportMetricsServiceRequest request = request(points);
        byte[] protobuf = request.toByteArray();
        byte[] json = OtlpJson.print(request);
        System.out.printf("request: %,d points, protobuf %,d bytes, JSON %,d bytes%n", points, protobuf.length,
                json.length);
        measure("protobuf", protobuf.length, () -> {
            try {
                return ExportMetricsServiceRequest.parseFrom(protobuf);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        measure("json", json.length, () -> {
            ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
            new OtlpJson(OtlpJson.Limits.DEFAULTS).merge(json, b);
            return b.build();
        });
    }

    private static void measure(String what, long bodyBytes, java.util.function.Supplier<Object> decode) {
        decode.get(); // warm up
        int copies = 5;
        List<Object> keep = new ArrayList<>();
        long before = usedAfterGc();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated0 = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < copies; i++) {
            keep.add(decode.get());
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocated0;
        long retained = usedAfterGc() - before;
        System.out.printf("%-8s retained %.1f bytes/body byte, allocated while decoding %.1f bytes/body byte%n", what,
                retained / (double) (copies * bodyBytes), allocated / (double) (copies * bodyBytes));
        keep.clear();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static ExportMetricsServiceRequest request(int points) {
        Resource resource = Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                .addAttributes(kv("service.version", "2.1.332")).addAttributes(kv("host.arch", "amd64")).build();
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
        long t = 1_795_358_400_000_000_000L;
        int perMetric = 1000;
        for (int m = 0; m * perMetric < points; m++) {
            Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
            for (int p = 0; p < perMetric && m * perMetric + p < points; p++) {
                sum.addDataPoints(NumberDataPoint.newBuilder().setStartTimeUnixNano(t).setTimeUnixNano(t + 60_000_000_000L)
                        .setAsDouble(0.0123 * p).addAttributes(kv("session.id", "5b1f0c2e-" + m + "-" + p))
                        .addAttributes(kv("user.email", "dev" + (p % 7) + "@example.com"))
                        .addAttributes(kv("model", "claude-sonnet-4-6")).addAttributes(kv("type", "input")));
            }
            scope.addMetrics(Metric.newBuilder().setName("claude_code.token.usage." + m).setUnit("tokens").setSum(sum));
        }
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(resource).addScopeMetrics(scope)).build();
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
