package dev.odin.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;

/** Terse builders for OTLP metric requests in tests. */
public final class Otlp {

    public static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
    public static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    public static final long T0 = 1_795_358_400_000_000_000L;
    public static final long SECOND = 1_000_000_000L;

    private Otlp() {
    }

    /** key, value, key, value... (values: String, Long/Integer, Double, Boolean) */
    public static List<KeyValue> attrs(Object... kv) {
        List<KeyValue> out = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.add(KeyValue.newBuilder().setKey((String) kv[i]).setValue(value(kv[i + 1])).build());
        }
        return out;
    }

    public static AnyValue value(Object v) {
        AnyValue.Builder b = AnyValue.newBuilder();
        if (v instanceof String) {
            b.setStringValue((String) v);
        } else if (v instanceof Integer || v instanceof Long) {
            b.setIntValue(((Number) v).longValue());
        } else if (v instanceof Double) {
            b.setDoubleValue((Double) v);
        } else if (v instanceof Boolean) {
            b.setBoolValue((Boolean) v);
        } else {
            throw new IllegalArgumentException(String.valueOf(v));
        }
        return b.build();
    }

    public static ExportMetricsServiceRequest request(List<KeyValue> resource, Metric... metrics) {
        return request(resource, InstrumentationScope.newBuilder().setName("test.scope").setVersion("1.0").build(),
                metrics);
    }

    public static ExportMetricsServiceRequest request(List<KeyValue> resource, InstrumentationScope scope,
            Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource))
                .addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope).addAllMetrics(List.of(metrics))))
                .build();
    }

    public static NumberDataPoint point(List<KeyValue> attrs, long start, long time, double value) {
        return NumberDataPoint.newBuilder().addAllAttributes(attrs).setStartTimeUnixNano(start)
                .setTimeUnixNano(time).setAsDouble(value).build();
    }

    public static Metric sum(String name, String unit, boolean monotonic, AggregationTemporality t,
            NumberDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
                .setSum(Sum.newBuilder().setIsMonotonic(monotonic).setAggregationTemporality(t)
                        .addAllDataPoints(List.of(points))).build();
    }

    public static Metric gauge(String name, String unit, NumberDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
                .setGauge(Gauge.newBuilder().addAllDataPoints(List.of(points))).build();
    }

    public static HistogramDataPoint histogramPoint(List<KeyValue> attrs, long start, long time, double sum,
            double[] bounds, long... counts) {
        HistogramDataPoint.Builder b = HistogramDataPoint.newBuilder().addAllAttributes(attrs)
                .setStartTimeUnixNano(start).setTimeUnixNano(time).setSum(sum);
        long total = 0;
        for (double d : bounds) {
            b.addExplicitBounds(d);
        }
        for (long c : counts) {
            b.addBucketCounts(c);
            total += c;
        }
        return b.setCount(total).build();
    }

    public static Metric histogram(String name, String unit, AggregationTemporality t, HistogramDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
                .setHistogram(Histogram.newBuilder().setAggregationTemporality(t).addAllDataPoints(List.of(points)))
                .build();
    }

    public static ExponentialHistogramDataPoint expPoint(List<KeyValue> attrs, long start, long time, int scale,
            long zeroCount, double sum, int offset, long... positive) {
        ExponentialHistogramDataPoint.Buckets.Builder pos = ExponentialHistogramDataPoint.Buckets.newBuilder()
                .setOffset(offset);
        long total = zeroCount;
        for (long c : positive) {
            pos.addBucketCounts(c);
            total += c;
        }
        return ExponentialHistogramDataPoint.newBuilder().addAllAttributes(attrs).setStartTimeUnixNano(start)
                .setTimeUnixNano(time).setScale(scale).setZeroCount(zeroCount).setSum(sum).setPositive(pos)
                .setCount(total).build();
    }

    public static Metric expHistogram(String name, String unit, AggregationTemporality t,
            ExponentialHistogramDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setExponentialHistogram(ExponentialHistogram
                .newBuilder().setAggregationTemporality(t).addAllDataPoints(List.of(points))).build();
    }

    public static Metric summary(String name, String unit, SummaryDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit)
                .setSummary(Summary.newBuilder().addAllDataPoints(List.of(points))).build();
    }

    public static Exemplar exemplar(double value, String traceHex, String spanHex) {
        return Exemplar.newBuilder().setAsDouble(value).setTimeUnixNano(T0)
                .setTraceId(ByteString.fromHex(traceHex)).setSpanId(ByteString.fromHex(spanHex)).build();
    }
}
