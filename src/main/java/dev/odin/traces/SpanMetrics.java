package dev.odin.traces;

import dev.odin.signal.AttributeValues;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spans into R.E.D. metrics as the OpenTelemetry Collector's spanmetrics connector makes them
 * (namespace traces.span.metrics, histogram unit s, explicit default buckets), so that a
 * dashboard written for Collector + Prometheus works on ODIN's /metrics unchanged:
 *
 * <ul>
 *   <li>{@code traces.span.metrics.calls} (monotonic sum: traces_span_metrics_calls_total),</li>
 *   <li>{@code traces.span.metrics.duration} (histogram in s: traces_span_metrics_duration_seconds),</li>
 *   <li>{@code claude_code.llm_request.ttft} (histogram in s of the llm_request spans' ttft_ms:
 *       claude_code_llm_request_ttft_seconds, by model).</li>
 * </ul>
 *
 * Their data point attributes are the connector's service.name, span.name, span.kind
 * (SPAN_KIND_INTERNAL...), status.code (STATUS_CODE_UNSET...), plus the dimensions Claude Code's
 * spans carry: model, tool_name, success, decision, each where the span has it. The
 * claude_code.tool.blocked_on_user and claude_code.tool.execution spans carry no tool_name:
 * they get their parent claude_code.tool span's when it is in the same request.
 *
 * <p>The result is an ExportMetricsServiceRequest of delta points (resource as the spans',
 * scope spanmetricsconnector), which the caller hands to the OTLP metrics translation: the
 * series are made as any OTLP metric's are (job, instance, naming, caps). Each call's points cover
 * their own interval (start = the last call's end), so no two calls' points are taken for one
 * re-sent point.
 *
 * <p>Cardinality: at most {@code limit} attribute sets per metric (service and the labels
 * above). A span with a new set beyond that is counted in the overflow set (service.name and
 * otel.metric.overflow=true only), as the connector's aggregation_cardinality_limit does, and
 * {@link #overflowed()} counts it. The sets known are never forgotten (bounded by the limit).
 */
public final class SpanMetrics {

    public static final String CALLS = "traces.span.metrics.calls";
    public static final String DURATION = "traces.span.metrics.duration";
    public static final String TTFT = "claude_code.llm_request.ttft";
    public static final String SCOPE = "spanmetricsconnector";

    /**
     * The connector's default explicit buckets (2ms ... 15s), in seconds as with histogram unit s,
     * and beyond them 30 s to 30 min: a Claude Code LLM request, a tool, and above all the wait
     * for the user's permission often take longer than 15 s, and a quantile over buckets that
     * end there would read 15 s for all of them.
     */
    static final double[] BUCKETS_SECONDS = {0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5,
        10, 15, 30, 60, 120, 300, 600, 1800};

    /** The span attributes that become labels where a span carries them. */
    static final List<String> DIMENSIONS = List.of("model", "tool_name", "success", "decision");

    private static final String TOOL_SPAN = "claude_code.tool";
    private static final String LLM_SPAN = "claude_code.llm_request";

    private final int limit;
    private final LongSupplier nanoClock;
    private final AtomicLong lastEnd = new AtomicLong();
    private final Map<String, Set<List<String>>> known = new ConcurrentHashMap<>();
    private final AtomicLong overflowed = new AtomicLong();

    /** @param nanoClock the time now, in Unix nanoseconds (the points' end) */
    public SpanMetrics(int limit, LongSupplier nanoClock) {
        this.limit = limit;
        this.nanoClock = nanoClock;
    }

    /** Spans counted in the overflow set since the start (label sets beyond the limit). */
    public long overflowed() {
        return overflowed.get();
    }

    /** One metric's points by attribute set, in arrival order. */
    private final class Points {
        final String metric;
        final Map<List<String>, long[]> counts = new LinkedHashMap<>();
        final Map<List<String>, double[]> sums = new LinkedHashMap<>();

        Points(String metric) {
            this.metric = metric;
        }

        /** @param value the observation (s); NaN: a count only */
        void add(List<String> attrs, double value) {
            List<String> key = admitted(metric, attrs);
            long[] c = counts.computeIfAbsent(key, k -> new long[BUCKETS_SECONDS.length + 2]);
            double[] s = sums.computeIfAbsent(key, k -> new double[1]);
            c[0]++;
            if (!Double.isNaN(value)) {
                c[1 + bucket(value)]++;
                s[0] += value;
            }
        }
    }

    /** The set itself when known or admitted, else the overflow set of its service. */
    private List<String> admitted(String metric, List<String> attrs) {
        Set<List<String>> sets = known.computeIfAbsent(metric, m -> ConcurrentHashMap.newKeySet());
        if (sets.contains(attrs)) {
            return attrs;
        }
        synchronized (sets) {
            if (sets.contains(attrs) || sets.size() < limit && sets.add(attrs)) {
                return attrs;
            }
        }
        overflowed.incrementAndGet();
        return List.of("service.name", attrs.get(1), "otel.metric.overflow", "true");
    }

    /** Index of the first bound >= v (le semantics), BUCKETS_SECONDS.length for +Inf. */
    static int bucket(double v) {
        for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
            if (v <= BUCKETS_SECONDS[i]) {
                return i;
            }
        }
        return BUCKETS_SECONDS.length;
    }

    /**
     * The metrics of these spans; an empty request when there are none.
     */
    public ExportMetricsServiceRequest metrics(ExportTraceServiceRequest request) {
        long end = nanoClock.getAsLong();
        long start = lastEnd.getAndUpdate(prev -> Math.max(prev + 1, end));
        long pointEnd = Math.max(start + 1, end);
        if (start == 0) {
            start = pointEnd - 1;
        }
        ExportMetricsServiceRequest.Builder out = ExportMetricsServiceRequest.newBuilder();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = serviceName(rs.getResource().getAttributesList());
            Map<String, String> toolNames = toolNames(rs);
            Points calls = new Points(CALLS);
            Points durations = new Points(DURATION);
            Points ttft = new Points(TTFT);
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    List<String> attrs = attributes(service, span, toolNames);
                    long nanos = span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
                    double seconds = nanos > 0 ? nanos / 1e9 : 0;
                    calls.add(attrs, Double.NaN);
                    durations.add(attrs, seconds);
                    if (span.getName().equals(LLM_SPAN)) {
                        Double ms = number(span.getAttributesList(), "ttft_ms");
                        if (ms != null && ms >= 0) {
                            ttft.add(ttftAttributes(service, span), ms / 1000);
                        }
                    }
                }
            }
            if (calls.counts.isEmpty()) {
                continue;
            }
            ScopeMetrics.Builder sm = ScopeMetrics.newBuilder()
                    .setScope(InstrumentationScope.newBuilder().setName(SCOPE));
            sm.addMetrics(sum(calls, start, pointEnd));
            sm.addMetrics(histogram(durations, "s", start, pointEnd));
            if (!ttft.counts.isEmpty()) {
                sm.addMetrics(histogram(ttft, "s", start, pointEnd));
            }
            out.addResourceMetrics(ResourceMetrics.newBuilder().setResource(rs.getResource())
                    .setSchemaUrl(rs.getSchemaUrl()).addScopeMetrics(sm));
        }
        return out.build();
    }

    private static Metric sum(Points p, long start, long end) {
        Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
        for (Map.Entry<List<String>, long[]> e : p.counts.entrySet()) {
            sum.addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(keyValues(e.getKey()))
                    .setStartTimeUnixNano(start).setTimeUnixNano(end).setAsInt(e.getValue()[0]));
        }
        return Metric.newBuilder().setName(p.metric).setSum(sum).build();
    }

    private static Metric histogram(Points p, String unit, long start, long end) {
        Histogram.Builder h = Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
        for (Map.Entry<List<String>, long[]> e : p.counts.entrySet()) {
            long[] c = e.getValue();
            HistogramDataPoint.Builder dp = HistogramDataPoint.newBuilder().addAllAttributes(keyValues(e.getKey()))
                    .setStartTimeUnixNano(start).setTimeUnixNano(end).setCount(c[0])
                    .setSum(p.sums.get(e.getKey())[0]);
            for (double b : BUCKETS_SECONDS) {
                dp.addExplicitBounds(b);
            }
            for (int i = 1; i < c.length; i++) {
                dp.addBucketCounts(c[i]);
            }
            h.addDataPoints(dp);
        }
        return Metric.newBuilder().setName(p.metric).setUnit(unit).setHistogram(h).build();
    }

    private static List<KeyValue> keyValues(List<String> attrs) {
        List<KeyValue> out = new ArrayList<>(attrs.size() / 2);
        for (int i = 0; i < attrs.size(); i += 2) {
            out.add(KeyValue.newBuilder().setKey(attrs.get(i))
                    .setValue(AnyValue.newBuilder().setStringValue(attrs.get(i + 1))).build());
        }
        return out;
    }

    /** service.name, span.name, span.kind, status.code, then the dimensions the span has (sorted by key). */
    private static List<String> attributes(String service, Span span, Map<String, String> toolNames) {
        List<String> a = new ArrayList<>(12);
        a.add("service.name");
        a.add(service);
        a.add("span.name");
        a.add(span.getName());
        a.add("span.kind");
        a.add(kind(span.getKind()));
        a.add("status.code");
        a.add(status(span.getStatus().getCode()));
        TreeMap<String, String> dims = new TreeMap<>();
        for (KeyValue kv : span.getAttributesList()) {
            if (DIMENSIONS.contains(kv.getKey()) && !dims.containsKey(kv.getKey())) {
                dims.put(kv.getKey(), AttributeValues.format(kv.getValue()));
            }
        }
        if (!dims.containsKey("tool_name")) {
            String inherited = toolNames.get(span.getParentSpanId().isEmpty() ? ""
                    : hex(span.getParentSpanId().toByteArray()));
            if (inherited != null && span.getName().startsWith(TOOL_SPAN + ".")) {
                dims.put("tool_name", inherited);
            }
        }
        dims.forEach((k, v) -> {
            a.add(k);
            a.add(v);
        });
        return List.copyOf(a);
    }

    private static List<String> ttftAttributes(String service, Span span) {
        String model = text(span.getAttributesList(), "model");
        return model == null ? List.of("service.name", service) : List.of("service.name", service, "model", model);
    }

    /** The claude_code.tool spans' tool_name by span id (hex), for their children in the same request. */
    private static Map<String, String> toolNames(ResourceSpans rs) {
        Map<String, String> names = new java.util.HashMap<>();
        for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span span : ss.getSpansList()) {
                if (span.getName().equals(TOOL_SPAN)) {
                    String name = text(span.getAttributesList(), "tool_name");
                    if (name != null) {
                        names.put(hex(span.getSpanId().toByteArray()), name);
                    }
                }
            }
        }
        return names;
    }

    private static String serviceName(List<KeyValue> resource) {
        String name = text(resource, "service.name");
        // the connector's (and the SDKs') fallback for a resource without one
        return name == null ? "unknown_service" : name;
    }

    private static String text(List<KeyValue> attrs, String key) {
        for (KeyValue kv : attrs) {
            if (kv.getKey().equals(key)) {
                return AttributeValues.format(kv.getValue());
            }
        }
        return null;
    }

    private static Double number(List<KeyValue> attrs, String key) {
        for (KeyValue kv : attrs) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return switch (v.getValueCase()) {
                    case INT_VALUE -> (double) v.getIntValue();
                    case DOUBLE_VALUE -> Double.isFinite(v.getDoubleValue()) ? v.getDoubleValue() : null;
                    default -> null;
                };
            }
        }
        return null;
    }

    /** SPAN_KIND_INTERNAL etc., as the connector writes span.kind. */
    static String kind(Span.SpanKind kind) {
        return kind == Span.SpanKind.UNRECOGNIZED ? "SPAN_KIND_UNSPECIFIED" : kind.name();
    }

    /** STATUS_CODE_UNSET, STATUS_CODE_OK, STATUS_CODE_ERROR. */
    static String status(Status.StatusCode code) {
        return code == Status.StatusCode.UNRECOGNIZED ? "STATUS_CODE_UNSET" : code.name();
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
