package dev.odin.exporter.prometheus;

import dev.odin.signal.AttributeValues;
import com.google.protobuf.ByteString;
import dev.odin.config.OdinProperties;
import dev.odin.privacy.AttributeRules;
import dev.odin.privacy.MetricsPrivacy;
import dev.odin.privacy.PrivacyProperties.Action;
import dev.odin.signal.ExportResult;
import dev.odin.series.CounterSeries;
import dev.odin.series.ExponentialBuckets;
import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.HistogramSeries;
import dev.odin.series.InfoSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.LabelSetBuilder;
import dev.odin.series.MetricFamily;
import dev.odin.series.Series;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.SummarySeries;
import dev.odin.series.UpdateResult;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;

/**
 * Applies an OTLP metrics request to the series store: names and labels translated as the
 * Prometheus OTLP translator does, data semantics as docs/metrics.md describes. Points that
 * cannot be applied are refused one by one (partial success); the rest of the request still
 * lands. Thread-safe.
 */
public final class MetricsTranslator implements Processor {

    /** Reasons a point is refused: the tag values of odin_otlp_rejected_total. */
    public static final String INVALID_NAME = "invalid_name";
    public static final String TYPE_CONFLICT = "type_conflict";
    public static final String UNSUPPORTED_TEMPORALITY = "unsupported_temporality";
    public static final String INVALID_POINT = "invalid_point";
    public static final String LABEL_VALUE_TOO_LONG = "label_value_too_long";
    public static final String SERIES_LIMIT = "series_limit";
    public static final String SOURCE_LIMIT = "source_limit";
    public static final String OUT_OF_ORDER = "out_of_order";
    public static final String NAME_TOO_LONG = "name_too_long";
    public static final String LABEL_NAME_TOO_LONG = "label_name_too_long";
    public static final String TOO_MANY_LABELS = "too_many_labels";
    /** A label the exposition reserves (le on histograms, quantile on summaries) or two keys that expose as one. */
    public static final String INVALID_LABELS = "invalid_labels";
    /** Another OTLP metric, or another family's samples, already own the exposed name. */
    public static final String NAME_CONFLICT = "name_conflict";
    public static final String TOTAL_SERIES_LIMIT = "total_series_limit";
    public static final String TENANT_SERIES_LIMIT = "tenant_series_limit";
    /**
     * A delta point its series already applied (same attributes, start and end): not refused, the
     * tag value of odin_otlp_discarded_total.
     */
    public static final String DUPLICATE = "duplicate";
    /** Points of a metric the route drops (metrics.dropMetric): the tag value of odin_otlp_discarded_total. */
    public static final String DROPPED_BY_ROUTE = "dropped_by_route";
    /** A count that passes 2^63 - 1 once merged into its series. */
    public static final String COUNT_OVERFLOW = "count_overflow";
    /** Exemplar label sets are cut to this many characters, the OpenMetrics limit. */
    private static final int MAX_EXEMPLAR_LABEL_CHARS = 128;

    private static final int FLAG_NO_RECORDED_VALUE = 1;
    private static final int MAX_SOURCES_PER_SERIES = 10_000;
    private static final int NAME_CACHE_LIMIT = 10_000;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final MetricsProperties config;
    private final SeriesStore store;
    private final OdinMetrics telemetry;
    private final MetricNamer metricNamer;
    private final LabelNamer labelNamer;
    private final Map<String, String> labelNames = new ConcurrentHashMap<>();
    private final Map<String, TranslatedName> metricNames = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> dropSets = new ConcurrentHashMap<>();
    private final ThreadLocal<LabelSetBuilder> builders = ThreadLocal.withInitial(LabelSetBuilder::new);
    private final String tenantLabel;

    public MetricsTranslator(MetricsProperties config, SeriesStore store, OdinMetrics telemetry) {
        this(config, store, telemetry, "");
    }

    /** @param tenantLabel the label that carries the request's tenant (odin.auth.tenant-label); empty: none */
    public MetricsTranslator(MetricsProperties config, SeriesStore store, OdinMetrics telemetry,
            String tenantLabel) {
        this.tenantLabel = tenantLabel;
        this.config = config;
        this.store = store;
        this.telemetry = telemetry;
        this.metricNamer = new MetricNamer(config.getNaming());
        this.labelNamer = new LabelNamer(!config.getNaming().escapes(), config.isKeepUnderscoreRuns());
    }

    @Override
    public void process(Exchange exchange) {
        ExportMetricsServiceRequest request = exchange.getMessage().getBody(ExportMetricsServiceRequest.class);
        MetricsPrivacy.Attached privacy = exchange.getProperty(MetricsPrivacy.PROPERTY, MetricsPrivacy.Attached.class);
        translate(request, exchange.getProperty(ExportResult.PROPERTY, ExportResult.class),
                exchange.getProperty(MetricEdits.PROPERTY, MetricEdits.class),
                privacy == null ? null : privacy.rulesFor(request));
    }

    /**
     * Route step (otlp-metrics, bean translateMetrics, method toSeries): body
     * ExportMetricsServiceRequest in, the same out; reads the exchange properties
     * {@value ExportResult#PROPERTY} (the tenant, and where refused points are told),
     * {@value MetricEdits#PROPERTY} (what the metric steps before it asked for, if any) and
     * {@value MetricsPrivacy#PROPERTY} (the privacy rules the privacy step attached, applied here
     * to every resource, scope and data point attribute as labels are built).
     */
    public void toSeries(@Body ExportMetricsServiceRequest request,
            @ExchangeProperty(ExportResult.PROPERTY) ExportResult result,
            @ExchangeProperty(MetricEdits.PROPERTY) MetricEdits edits,
            @ExchangeProperty(MetricsPrivacy.PROPERTY) MetricsPrivacy.Attached privacy) {
        translate(request, result, edits, privacy == null ? null : privacy.rulesFor(request));
    }

    public void translate(ExportMetricsServiceRequest request, ExportResult result) {
        translate(request, result, null, null);
    }

    /** @param edits metrics to drop and labels to add (the metric steps of the route); null: none */
    public void translate(ExportMetricsServiceRequest request, ExportResult result, MetricEdits edits) {
        translate(request, result, edits, null);
    }

    /**
     * @param edits metrics to drop and labels to add (the metric steps of the route); null: none
     * @param rules the metric privacy rules, applied to each resource, scope and data point
     *     attribute before it becomes a label (the same labels as translating the request
     *     {@link AttributeRules#apply} rewrote); null: none
     */
    public void translate(ExportMetricsServiceRequest request, ExportResult result, MetricEdits edits,
            AttributeRules rules) {
        Keys keys = keys(rules == null || rules.isEmpty() ? null : rules);
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            ResourceLabels resource = resourceLabels(rm.getResource().getAttributesList(), result, edits, keys);
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                List<String[]> scope = scopeLabels(sm.getScope(), sm.getSchemaUrl(), keys.rules);
                for (Metric metric : sm.getMetricsList()) {
                    translateMetric(metric, resource, scope, result, edits, keys);
                }
            }
        }
    }

    /**
     * What the translation does with one attribute key under one set of privacy rules, found in
     * one lookup per attribute: the rule's action (null: the value as sent) and the label name,
     * named when first asked for (so a key the translation never names, e.g. one that
     * odin.metrics.drop-attributes merges, is never counted as an invalid label name).
     */
    private static final class KeyDecision {
        final String key;
        final Action action;
        /** Null: not named yet; empty: no label (invalid name). A String is safe to publish racily. */
        String label;

        KeyDecision(String key, Action action) {
            this.key = key;
            this.action = action;
        }
    }

    private static final KeyDecision DROPPED = new KeyDecision("", Action.DROP);

    /** The key's label name, or null when it has none. */
    private String label(KeyDecision d) {
        String l = d.label;
        if (l == null) {
            l = labelName(d.key);
            l = l == null ? "" : l;
            d.label = l;
        }
        return l.isEmpty() ? null : l;
    }

    /** The key decisions under one set of rules (null: no rules); bounded as the name caches are. */
    private static final class Keys {
        final AttributeRules rules;
        final ConcurrentHashMap<String, KeyDecision> byKey = new ConcurrentHashMap<>();

        Keys(AttributeRules rules) {
            this.rules = rules;
        }
    }

    private volatile Keys keys = new Keys(null);

    private Keys keys(AttributeRules rules) {
        Keys k = keys;
        if (k.rules != rules) {
            k = new Keys(rules);
            keys = k;
        }
        return k;
    }

    /**
     * The decision for an attribute key; counts the rule's action (odin_privacy_attributes_total)
     * for each attribute it is asked about, as the rewrite counted each attribute it changed.
     */
    private KeyDecision decision(Keys keys, String key) {
        KeyDecision d = keys.byKey.get(key);
        if (d == null) {
            Action action = keys.rules == null ? null : keys.rules.actionFor(key);
            if (action == Action.DROP) {
                d = DROPPED;
            } else {
                d = new KeyDecision(key, action);
            }
            if (key.length() <= config.getMaxLabelNameLength()) {
                // a longer key is refused or skipped by the caller: no cache key of any length
                if (keys.byKey.size() >= NAME_CACHE_LIMIT) {
                    keys.byKey.clear();
                }
                keys.byKey.put(key, d);
            }
        }
        if (d.action != null) {
            keys.rules.count(d.action);
        }
        return d;
    }

    /** An attribute's value as a label value: as sent, or as the privacy rule makes it (hash, REDACTED). */
    private static String value(Keys keys, KeyDecision d, KeyValue kv) {
        return d.action == null ? AttributeValues.format(kv.getValue()) : keys.rules.replacement(d.action, kv.getValue());
    }

    /** Labels that come from the resource: job, instance, and all attributes if configured. */
    private static final class ResourceLabels {
        final List<String[]> identity = new ArrayList<>(2);
        final List<String[]> attributes = new ArrayList<>();
        final List<String[]> info = new ArrayList<>();
        /** The static labels of the route's metric steps (metrics.addLabel) for this resource. */
        List<String[]> added = List.of();
    }

    private ResourceLabels resourceLabels(List<KeyValue> attributes, ExportResult result, MetricEdits edits,
            Keys keys) {
        ResourceLabels r = new ResourceLabels();
        String serviceName = null;
        String namespace = null;
        String instance = null;
        for (KeyValue kv : attributes) {
            String key = kv.getKey();
            KeyDecision d = decision(keys, key);
            if (d.action == Action.DROP) {
                continue;
            }
            if (key.length() > config.getMaxLabelNameLength()) {
                telemetry.translationError(LABEL_NAME_TOO_LONG);
                continue;
            }
            String value = trimmed(value(keys, d, kv), "resource_attribute");
            switch (key) {
                case "service.name": serviceName = value; break;
                case "service.namespace": namespace = value; break;
                case "service.instance.id": instance = value; break;
                default: break;
            }
            String label = label(d);
            if (label == null) {
                continue;
            }
            r.attributes.add(new String[] {label, key, value});
            if (!key.equals("service.name") && !key.equals("service.namespace") && !key.equals("service.instance.id")) {
                r.info.add(new String[] {label, key, value});
            }
        }
        if (serviceName != null) {
            String job = namespace == null || namespace.isEmpty() ? serviceName : namespace + "/" + serviceName;
            r.identity.add(new String[] {"job", "job", job});
        }
        if (instance != null) {
            r.identity.add(new String[] {"instance", "instance", instance});
        }
        if (edits != null && edits.hasLabels()) {
            addStaticLabels(r, attributes, edits, keys.rules);
        }
        if (config.isTargetInfo() && !r.info.isEmpty()) {
            publishTargetInfo(r, result == null ? "" : result.tenant());
        }
        return r;
    }

    /** The static labels whose resource attribute matches, the last step's when two name one label. */
    private static void addStaticLabels(ResourceLabels r, List<KeyValue> attributes, MetricEdits edits,
            AttributeRules rules) {
        List<String[]> added = new ArrayList<>(2);
        for (MetricEdits.StaticLabel l : edits.labels()) {
            boolean taken = false;
            for (String[] a : added) {
                taken |= a[0].equals(l.name());
            }
            if (taken) {
                continue;
            }
            for (KeyValue kv : attributes) {
                if (!kv.getKey().equals(l.attribute())) {
                    continue;
                }
                // the value as the privacy rules leave it (a dropped attribute matches nothing)
                Action action = rules == null ? null : rules.actionFor(kv.getKey());
                if (action != Action.DROP && (action == null ? AttributeValues.format(kv.getValue())
                        : rules.replacement(action, kv.getValue())).equals(l.value())) {
                    added.add(new String[] {l.name(), l.name(), l.labelValue()});
                    break;
                }
            }
        }
        if (!added.isEmpty()) {
            r.added = added;
            for (String[] a : added) {
                r.info.removeIf(i -> i[0].equals(a[0]));
                r.info.add(a);
            }
        }
    }

    private void publishTargetInfo(ResourceLabels r, String tenant) {
        LabelSetBuilder b = builders.get().reset();
        for (String[] l : r.info) {
            b.add(l[0], l[1], l[2], LabelSetBuilder.ATTRIBUTE);
        }
        for (String[] l : r.identity) {
            b.add(l[0], l[1], l[2], LabelSetBuilder.IDENTITY);
        }
        LabelSet labels = b.build();
        if (invalidLabels(MetricFamily.Type.INFO, labels) != null) {
            telemetry.translationError(INVALID_LABELS);
            return;
        }
        try {
            MetricFamily f = store.family("target_info", MetricFamily.Type.INFO, "Target metadata");
            InfoSeries s = store.series(f, labels, false, InfoSeries::create, tenant);
            if (s != null) {
                s.touch(store.nowMillis());
            }
        } catch (SeriesStore.ConflictException e) {
            telemetry.translationError(e.kind() == SeriesStore.ConflictException.Kind.TYPE ? TYPE_CONFLICT
                    : NAME_CONFLICT);
        } catch (SeriesStore.CapReachedException e) {
            // counted by the store (odin_series_dropped_total); the data points themselves still land
        }
    }

    private List<String[]> scopeLabels(InstrumentationScope scope, String schemaUrl, AttributeRules rules) {
        List<String[]> labels = new ArrayList<>(4);
        if (!config.isScopeLabels()) {
            if (rules != null) {
                // not labels, but the rules count what they apply to as the rewrite did
                for (KeyValue kv : scope.getAttributesList()) {
                    Action action = rules.actionFor(kv.getKey());
                    if (action != null) {
                        rules.count(action);
                    }
                }
            }
            return labels;
        }
        labels.add(new String[] {"otel_scope_name", "otel_scope_name", trimmed(scope.getName(), "scope_attribute")});
        labels.add(new String[] {"otel_scope_version", "otel_scope_version",
            trimmed(scope.getVersion(), "scope_attribute")});
        labels.add(new String[] {"otel_scope_schema_url", "otel_scope_schema_url", trimmed(schemaUrl, "scope_attribute")});
        for (KeyValue kv : scope.getAttributesList()) {
            Action action = rules == null ? null : rules.actionFor(kv.getKey());
            if (action != null) {
                rules.count(action);
                if (action == Action.DROP) {
                    continue;
                }
            }
            if (kv.getKey().length() > config.getMaxLabelNameLength()) {
                telemetry.translationError(LABEL_NAME_TOO_LONG);
                continue;
            }
            String label = labelName("otel_scope_" + kv.getKey());
            if (label != null) {
                String value = action == null ? AttributeValues.format(kv.getValue())
                        : rules.replacement(action, kv.getValue());
                labels.add(new String[] {label, kv.getKey(), trimmed(value, "scope_attribute")});
            }
        }
        return labels;
    }

    /** Cuts a resource or scope value to odin.metrics.max-resource-attribute-value-length, counted. */
    private String trimmed(String value, String what) {
        int max = config.getMaxResourceAttributeValueLength();
        if (value.length() <= max) {
            return value;
        }
        telemetry.trimmed(what);
        return cut(value, max);
    }

    /** The first {@code max} characters, one fewer when that would split a surrogate pair. */
    static String cut(String value, int max) {
        if (value.length() <= max) {
            return value;
        }
        int end = max;
        if (end > 0 && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end);
    }

    private String labelName(String key) {
        String cached = labelNames.get(key);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        String name = labelNamer.name(key);
        if (name == null || name.startsWith("__") || !PrometheusNaming.isValidLabelName(name)) {
            // empty after translation, reserved for Prometheus' internal use (dropped on ingest),
            // or (UTF-8 strategies) a name the exposition library cannot write
            telemetry.translationError("invalid_label_name");
            name = "";
        }
        if (labelNames.size() >= NAME_CACHE_LIMIT) {
            labelNames.clear();
        }
        labelNames.put(key, name);
        return name.isEmpty() ? null : name;
    }

    /** A metric's Prometheus name, or why it has none. */
    private record TranslatedName(String name, String error) {
    }

    private TranslatedName metricName(Metric metric, MetricNamer.Kind kind, MetricFamily.Type type) {
        int max = config.getMaxNameLength();
        if (metric.getName().length() > max || metric.getUnit().length() > max) {
            // not cached: a cache of megabyte names is what the limit is for
            return new TranslatedName(null, "metric name '" + cut(metric.getName(), 64) + "...' with unit of "
                    + metric.getUnit().length() + " characters is " + metric.getName().length()
                    + " characters long, over the limit of " + max + " (odin.metrics.max-name-length)");
        }
        String key = metric.getName() + '\0' + metric.getUnit() + '\0' + kind + '\0' + type;
        TranslatedName cached = metricNames.get(key);
        if (cached != null) {
            return cached;
        }
        TranslatedName result;
        try {
            String n = metricNamer.name(metric.getName(), metric.getUnit(), kind);
            String invalid = n.length() > max ? "it is " + n.length() + " characters long, over the limit of " + max
                    + " (odin.metrics.max-name-length)" : SeriesCollector.validateName(type, n);
            result = invalid == null ? new TranslatedName(n, null)
                    : new TranslatedName(null, "metric '" + metric.getName() + "' becomes '" + n + "': " + invalid);
        } catch (IllegalArgumentException e) {
            result = new TranslatedName(null, e.getMessage());
        }
        if (metricNames.size() >= NAME_CACHE_LIMIT) {
            metricNames.clear();
        }
        metricNames.put(key, result);
        return result;
    }

    private Set<String> dropSet(String otlpName) {
        if (config.getDropAttributes().isEmpty()) {
            return Set.of();
        }
        Set<String> cached = dropSets.get(otlpName);
        if (cached != null) {
            return cached;
        }
        Set<String> keys = new HashSet<>();
        for (MetricsProperties.DropRule rule : config.getDropAttributes()) {
            String m = rule.getMetric();
            boolean match = m.endsWith("*") ? otlpName.startsWith(m.substring(0, m.length() - 1)) : otlpName.equals(m);
            if (match) {
                keys.addAll(rule.getAttributes());
            }
        }
        if (dropSets.size() >= NAME_CACHE_LIMIT) {
            dropSets.clear();
        }
        dropSets.put(otlpName, keys);
        return keys;
    }

    private void translateMetric(Metric metric, ResourceLabels resource, List<String[]> scope, ExportResult result,
            MetricEdits edits, Keys keys) {
        int points = pointCount(metric);
        if (points == 0) {
            return;
        }
        result.received(points);
        if (edits != null && edits.drops(metric.getName())) {
            telemetry.discarded(dev.odin.signal.Signal.METRICS, DROPPED_BY_ROUTE, points);
            return;
        }
        MetricNamer.Kind kind;
        MetricFamily.Type type;
        boolean delta;
        switch (metric.getDataCase()) {
            case GAUGE:
                kind = MetricNamer.Kind.GAUGE;
                type = MetricFamily.Type.GAUGE;
                delta = false;
                break;
            case SUM: {
                AggregationTemporality t = metric.getSum().getAggregationTemporality();
                boolean monotonic = metric.getSum().getIsMonotonic();
                // an enum number this version does not know arrives as UNRECOGNIZED: refused too
                if (t == AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED
                        || t == AggregationTemporality.UNRECOGNIZED || (!monotonic
                        && t != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)) {
                    reject(result, points, UNSUPPORTED_TEMPORALITY, "metric '" + metric.getName() + "': "
                            + (monotonic ? "" : "non-monotonic ") + "sum with temporality "
                            + metric.getSum().getAggregationTemporalityValue() + " has no Prometheus form");
                    return;
                }
                kind = monotonic ? MetricNamer.Kind.COUNTER : MetricNamer.Kind.OTHER;
                type = monotonic ? MetricFamily.Type.COUNTER : MetricFamily.Type.GAUGE;
                delta = t == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                break;
            }
            case HISTOGRAM:
            case EXPONENTIAL_HISTOGRAM: {
                AggregationTemporality t = metric.getDataCase() == Metric.DataCase.HISTOGRAM
                        ? metric.getHistogram().getAggregationTemporality()
                        : metric.getExponentialHistogram().getAggregationTemporality();
                if (t == AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED
                        || t == AggregationTemporality.UNRECOGNIZED) {
                    reject(result, points, UNSUPPORTED_TEMPORALITY,
                            "metric '" + metric.getName() + "': histogram without temporality");
                    return;
                }
                kind = MetricNamer.Kind.OTHER;
                type = MetricFamily.Type.HISTOGRAM;
                delta = t == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                break;
            }
            case SUMMARY:
                kind = MetricNamer.Kind.OTHER;
                type = MetricFamily.Type.SUMMARY;
                delta = false;
                break;
            default:
                return;
        }
        TranslatedName name = metricName(metric, kind, type);
        if (name.error() != null) {
            String reason = name.error().contains("odin.metrics.max-name-length") ? NAME_TOO_LONG : INVALID_NAME;
            telemetry.translationError(reason);
            reject(result, points, reason, name.error());
            return;
        }
        if (edits != null && edits.drops(name.name())) {
            telemetry.discarded(dev.odin.signal.Signal.METRICS, DROPPED_BY_ROUTE, points);
            return;
        }
        String help = metric.getDescription();
        if (help.length() > config.getMaxHelpLength()) {
            telemetry.trimmed("help");
            help = cut(help, config.getMaxHelpLength());
        }
        MetricFamily family;
        try {
            family = store.family(name.name(), type, help, metric.getName(), result.tenant());
        } catch (SeriesStore.ConflictException e) {
            String reason = switch (e.kind()) {
                case TYPE -> TYPE_CONFLICT;
                case TENANT_LIMIT -> TENANT_SERIES_LIMIT;
                case TOTAL_LIMIT -> TOTAL_SERIES_LIMIT;
                default -> NAME_CONFLICT;
            };
            telemetry.translationError(reason);
            reject(result, points, reason, e.getMessage());
            return;
        }
        Set<String> drop = dropSet(metric.getName());
        PointContext ctx = new PointContext(metric, family, resource, scope, drop, delta, result, keys);
        switch (metric.getDataCase()) {
            case GAUGE:
                for (NumberDataPoint p : metric.getGauge().getDataPointsList()) {
                    numberPoint(ctx, p);
                }
                break;
            case SUM:
                for (NumberDataPoint p : metric.getSum().getDataPointsList()) {
                    numberPoint(ctx, p);
                }
                break;
            case HISTOGRAM:
                for (HistogramDataPoint p : metric.getHistogram().getDataPointsList()) {
                    histogramPoint(ctx, p);
                }
                break;
            case EXPONENTIAL_HISTOGRAM:
                for (ExponentialHistogramDataPoint p : metric.getExponentialHistogram().getDataPointsList()) {
                    exponentialPoint(ctx, p);
                }
                break;
            case SUMMARY:
                for (SummaryDataPoint p : metric.getSummary().getDataPointsList()) {
                    summaryPoint(ctx, p);
                }
                break;
            default:
                break;
        }
    }

    private static int pointCount(Metric m) {
        switch (m.getDataCase()) {
            case GAUGE: return m.getGauge().getDataPointsCount();
            case SUM: return m.getSum().getDataPointsCount();
            case HISTOGRAM: return m.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM: return m.getExponentialHistogram().getDataPointsCount();
            case SUMMARY: return m.getSummary().getDataPointsCount();
            default: return 0;
        }
    }

    /** Everything a point needs from its metric, resource and scope. */
    private static final class PointContext {
        final Metric metric;
        final MetricFamily family;
        final ResourceLabels resource;
        final List<String[]> scope;
        final Set<String> drop;
        final boolean delta;
        final ExportResult result;
        final Keys keys;
        /** Set by labels(): hash of the dropped attributes, identifying the source of a merged series. */
        long sourceKey;

        PointContext(Metric metric, MetricFamily family, ResourceLabels resource, List<String[]> scope,
                Set<String> drop, boolean delta, ExportResult result, Keys keys) {
            this.metric = metric;
            this.family = family;
            this.resource = resource;
            this.scope = scope;
            this.drop = drop;
            this.delta = delta;
            this.result = result;
            this.keys = keys;
        }

        boolean merged() {
            return !drop.isEmpty();
        }
    }

    private LabelSet tooManyLabels(PointContext ctx, int maxLabels) {
        reject(ctx.result, 1, TOO_MANY_LABELS, "metric '" + ctx.metric.getName() + "': a series of more than "
                + maxLabels + " labels, over the limit (odin.metrics.max-labels-per-series)");
        return null;
    }

    /** @return the point's label set, or null when the point was refused (already recorded) */
    private LabelSet labels(PointContext ctx, List<KeyValue> attributes) {
        LabelSetBuilder b = builders.get().reset();
        long source = FNV_OFFSET;
        int maxLength = config.getMaxLabelValueLength();
        int maxLabels = config.getMaxLabelsPerSeries();
        for (int i = 0; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            String key = kv.getKey();
            KeyDecision d = decision(ctx.keys, key);
            if (d.action == Action.DROP) {
                continue; // the privacy rule: as if never sent
            }
            if (!ctx.drop.isEmpty() && ctx.drop.contains(key)) {
                source = fnv(fnv(source, key), value(ctx.keys, d, kv));
                continue;
            }
            if (key.length() > config.getMaxLabelNameLength()) {
                reject(ctx.result, 1, LABEL_NAME_TOO_LONG, "metric '" + ctx.metric.getName() + "': an attribute key of "
                        + key.length() + " characters is over the limit of " + config.getMaxLabelNameLength()
                        + " (odin.metrics.max-label-name-length)");
                return null;
            }
            String label = label(d);
            if (label == null) {
                continue;
            }
            String value = value(ctx.keys, d, kv);
            if (value.length() > maxLength) {
                reject(ctx.result, 1, LABEL_VALUE_TOO_LONG, "metric '" + ctx.metric.getName() + "': attribute '"
                        + key + "' is " + value.length() + " characters, over the limit of " + maxLength);
                return null;
            }
            b.add(label, key, value, LabelSetBuilder.ATTRIBUTE);
            if (b.size() > maxLabels) {
                // refused at the first label over: a point of thousands of attributes costs no more
                return tooManyLabels(ctx, maxLabels);
            }
        }
        if (config.isResourceToLabels()) {
            for (String[] l : ctx.resource.attributes) {
                b.add(l[0], l[1], l[2], LabelSetBuilder.RESOURCE);
            }
        }
        for (String[] l : ctx.resource.added) {
            b.add(l[0], l[1], l[2], LabelSetBuilder.RESOURCE);
        }
        for (String[] l : ctx.scope) {
            b.add(l[0], l[1], l[2], LabelSetBuilder.SCOPE);
        }
        for (String[] l : ctx.resource.identity) {
            b.add(l[0], l[1], l[2], LabelSetBuilder.IDENTITY);
        }
        if (!tenantLabel.isEmpty() && ctx.result != null && !ctx.result.tenant().isEmpty()) {
            // set by ODIN from the bearer token, so it outranks anything the client sent
            b.add(tenantLabel, tenantLabel, ctx.result.tenant(), LabelSetBuilder.IDENTITY);
        }
        if (b.size() > maxLabels) {
            return tooManyLabels(ctx, maxLabels);
        }
        ctx.sourceKey = source;
        LabelSet labels = b.build();
        String invalid = invalidLabels(ctx.family.type(), labels);
        if (invalid != null) {
            reject(ctx.result, 1, INVALID_LABELS, "metric '" + ctx.metric.getName() + "': " + invalid);
            return null;
        }
        return labels;
    }

    /**
     * What client_java's snapshots would refuse in a label set: the label a histogram or summary
     * writes itself (le, quantile), and two names that are one once dots become underscores.
     *
     * @return null when fine, otherwise why not
     */
    static String invalidLabels(MetricFamily.Type type, LabelSet labels) {
        String reserved = type == MetricFamily.Type.HISTOGRAM ? "le" : type == MetricFamily.Type.SUMMARY ? "quantile"
                : null;
        boolean dots = false;
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.name(i);
            if (n.equals(reserved)) {
                return "attribute '" + n + "' is reserved: the exposition writes it for every "
                        + type.name().toLowerCase() + " bucket or quantile";
            }
            dots |= n.indexOf('.') >= 0;
        }
        if (dots) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < labels.size(); i++) {
                if (!seen.add(PrometheusNaming.prometheusName(labels.name(i)))) {
                    return "attributes '" + labels.name(i) + "' and another are both exposed as label '"
                            + PrometheusNaming.prometheusName(labels.name(i)) + "'";
                }
            }
        }
        return null;
    }

    private <S extends Series> S series(PointContext ctx, LabelSet labels, boolean deltaBorn,
            BiFunction<LabelSet, Long, S> factory, Class<S> kind) {
        S s;
        try {
            s = store.series(ctx.family, labels, deltaBorn, factory, ctx.result == null ? "" : ctx.result.tenant());
        } catch (IllegalArgumentException e) {
            // a label set the exposition library refuses that the checks above did not foresee
            reject(ctx.result, 1, INVALID_LABELS, "metric '" + ctx.metric.getName() + "': " + e.getMessage());
            return null;
        } catch (SeriesStore.CapReachedException e) {
            String reason = e.cap() == SeriesStore.CapReachedException.Cap.METRIC ? SERIES_LIMIT
                    : e.cap() == SeriesStore.CapReachedException.Cap.TENANT ? TENANT_SERIES_LIMIT : TOTAL_SERIES_LIMIT;
            reject(ctx.result, 1, reason, "new series of metric '" + ctx.metric.getName() + "' refused: "
                    + e.getMessage());
            return null;
        }
        if (s == null) {
            reject(ctx.result, 1, SERIES_LIMIT, "metric '" + ctx.metric.getName() + "' is being replaced; send again");
            return null;
        }
        if (!kind.isInstance(s)) {
            // one family holds explicit-bucket and exponential histograms: one label set cannot be both
            telemetry.translationError(TYPE_CONFLICT);
            reject(ctx.result, 1, TYPE_CONFLICT, "metric '" + ctx.metric.getName() + "': the series with these"
                    + " labels is already a " + s.getClass().getSimpleName().replace("Series", "").toLowerCase()
                    + " series");
            return null;
        }
        s.touch(store.nowMillis());
        return s;
    }

    private static boolean noRecordedValue(int flags) {
        return (flags & FLAG_NO_RECORDED_VALUE) != 0;
    }

    private void numberPoint(PointContext ctx, NumberDataPoint p) {
        LabelSet labels = labels(ctx, p.getAttributesList());
        if (labels == null) {
            return;
        }
        if (noRecordedValue(p.getFlags())) {
            store.markStale(ctx.family, labels);
            return;
        }
        double v;
        switch (p.getValueCase()) {
            case AS_DOUBLE: v = p.getAsDouble(); break;
            case AS_INT: v = p.getAsInt(); break;
            default:
                reject(ctx.result, 1, INVALID_POINT, "metric '" + ctx.metric.getName() + "': data point has no value");
                return;
        }
        Exemplar ex = p.getExemplarsCount() == 0 ? null : exemplars(p.getExemplarsList(), ctx.keys)[p.getExemplarsCount() - 1];
        if (ctx.family.type() == MetricFamily.Type.GAUGE) {
            GaugeSeries s = series(ctx, labels, false, GaugeSeries::create, GaugeSeries.class);
            if (s != null) {
                s.set(v, p.getTimeUnixNano());
            }
            return;
        }
        if (ctx.delta && (!Double.isFinite(v) || v < 0)) {
            reject(ctx.result, 1, INVALID_POINT, "metric '" + ctx.metric.getName() + "': delta " + v
                    + " on a monotonic sum would corrupt its running total");
            return;
        }
        if (v < 0) {
            invalid(ctx, "cumulative value " + v + " on a monotonic sum: a counter cannot be negative");
            return;
        }
        if (badStart(ctx, p.getStartTimeUnixNano())) {
            return;
        }
        CounterSeries s = series(ctx, labels, ctx.delta, CounterSeries::create, CounterSeries.class);
        if (s == null) {
            return;
        }
        UpdateResult r;
        if (ctx.delta) {
            r = s.addDelta(ctx.sourceKey, v, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex);
        } else if (ctx.merged()) {
            r = s.addCumulativeSource(ctx.sourceKey, v, p.getStartTimeUnixNano(), p.getTimeUnixNano(),
                    store.nowMillis(), MAX_SOURCES_PER_SERIES, ex);
        } else {
            r = s.setCumulative(v, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex);
        }
        outcome(ctx, r);
    }

    /** A start time past 2^63 ns (an unsigned OTLP time after 2262) has no Prometheus form. */
    private boolean badStart(PointContext ctx, long startNanos) {
        if (startNanos < 0) {
            invalid(ctx, "start time " + Long.toUnsignedString(startNanos) + " ns is out of range");
            return true;
        }
        return false;
    }

    private void outcome(PointContext ctx, UpdateResult r) {
        if (r == UpdateResult.DUPLICATE) {
            // a re-sent delta (an exporter retrying after a timeout): acknowledged, not added twice
            telemetry.discarded(dev.odin.signal.Signal.METRICS, DUPLICATE, 1);
        } else if (r == UpdateResult.OVERFLOW) {
            reject(ctx.result, 1, COUNT_OVERFLOW, "metric '" + ctx.metric.getName()
                    + "': adding the point would push a count past 2^63 - 1");
        } else if (r == UpdateResult.OUT_OF_ORDER) {
            reject(ctx.result, 1, OUT_OF_ORDER, "metric '" + ctx.metric.getName()
                    + "': cumulative point older than the one already held");
        } else if (r == UpdateResult.SOURCE_LIMIT) {
            store.stats().sourceLimit.increment();
            reject(ctx.result, 1, SOURCE_LIMIT, "metric '" + ctx.metric.getName()
                    + "': too many sources merged into one series");
        }
    }

    private void histogramPoint(PointContext ctx, HistogramDataPoint p) {
        LabelSet labels = labels(ctx, p.getAttributesList());
        if (labels == null) {
            return;
        }
        if (noRecordedValue(p.getFlags())) {
            store.markStale(ctx.family, labels);
            return;
        }
        int nb = p.getExplicitBoundsCount();
        int nc = p.getBucketCountsCount();
        double[] bounds;
        long[] counts;
        if (badStart(ctx, p.getStartTimeUnixNano())) {
            return;
        }
        if (p.getCount() < 0) {
            invalid(ctx, "count " + Long.toUnsignedString(p.getCount()) + " is past 2^63 - 1");
            return;
        }
        if (nc == 0) {
            // count and sum only: one +Inf bucket
            bounds = new double[0];
            counts = new long[] {p.getCount()};
        } else {
            if (nc != nb + 1) {
                invalid(ctx, nc + " bucket counts for " + nb + " bounds");
                return;
            }
            bounds = new double[nb];
            for (int i = 0; i < nb; i++) {
                bounds[i] = p.getExplicitBounds(i);
                if (Double.isNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                    invalid(ctx, "explicit bounds must be increasing numbers");
                    return;
                }
            }
            if (nb > 0 && bounds[nb - 1] == Double.POSITIVE_INFINITY) {
                invalid(ctx, "explicit bounds must not include +Inf");
                return;
            }
            counts = new long[nc];
            long total = 0;
            for (int i = 0; i < nc; i++) {
                counts[i] = p.getBucketCounts(i);
                if (counts[i] < 0) {
                    invalid(ctx, "bucket count " + Long.toUnsignedString(counts[i]) + " is past 2^63 - 1");
                    return;
                }
                total += counts[i];
                if (total < 0) {
                    invalid(ctx, "bucket counts add up past 2^63 - 1");
                    return;
                }
            }
            if (total != p.getCount()) {
                invalid(ctx, "count " + p.getCount() + " differs from the bucket total " + total);
                return;
            }
        }
        double sum = p.hasSum() ? p.getSum() : Double.NaN;
        HistogramSeries.Reading reading = new HistogramSeries.Reading(bounds, counts, sum);
        HistogramSeries s = series(ctx, labels, ctx.delta, HistogramSeries::create, HistogramSeries.class);
        if (s == null) {
            return;
        }
        Exemplar[] ex = p.getExemplarsCount() == 0 ? null : exemplars(p.getExemplarsList(), ctx.keys);
        if (ctx.delta) {
            outcome(ctx, s.addDelta(ctx.sourceKey, reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex));
        } else if (ctx.merged()) {
            outcome(ctx, s.addCumulativeSource(ctx.sourceKey, reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(),
                    store.nowMillis(), MAX_SOURCES_PER_SERIES, ex));
        } else {
            outcome(ctx, s.setCumulative(reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex));
        }
    }

    private void exponentialPoint(PointContext ctx, ExponentialHistogramDataPoint p) {
        LabelSet labels = labels(ctx, p.getAttributesList());
        if (labels == null) {
            return;
        }
        if (noRecordedValue(p.getFlags())) {
            store.markStale(ctx.family, labels);
            return;
        }
        if (p.getScale() < ExponentialHistogramSeries.MIN_SCALE || p.getScale() > 20) {
            invalid(ctx, "scale " + p.getScale() + " is outside what Prometheus native histograms hold");
            return;
        }
        if (!(p.getZeroThreshold() >= 0)) {
            invalid(ctx, "zero threshold " + p.getZeroThreshold() + " must be a number of at least 0");
            return;
        }
        if (p.getZeroCount() < 0 || p.getCount() < 0) {
            invalid(ctx, "zero count " + Long.toUnsignedString(p.getZeroCount()) + " or count "
                    + Long.toUnsignedString(p.getCount()) + " is past 2^63 - 1");
            return;
        }
        if (badStart(ctx, p.getStartTimeUnixNano())) {
            return;
        }
        String badBuckets = badBuckets(p.getScale(), p.getPositive());
        if (badBuckets == null) {
            badBuckets = badBuckets(p.getScale(), p.getNegative());
        }
        if (badBuckets != null) {
            invalid(ctx, badBuckets);
            return;
        }
        ExponentialHistogramSeries.Reading reading;
        long count;
        try {
            reading = new ExponentialHistogramSeries.Reading(p.getScale(), p.getZeroThreshold(), p.getZeroCount(),
                    buckets(p.getPositive()), buckets(p.getNegative()), p.hasSum() ? p.getSum() : Double.NaN);
            count = reading.count();
        } catch (ArithmeticException e) {
            invalid(ctx, "bucket counts add up past 2^63 - 1");
            return;
        }
        if (count != p.getCount()) {
            invalid(ctx, "count " + p.getCount() + " differs from the bucket total " + count);
            return;
        }
        ExponentialHistogramSeries s = series(ctx, labels, ctx.delta, ExponentialHistogramSeries::create,
                ExponentialHistogramSeries.class);
        if (s == null) {
            return;
        }
        Exemplar[] ex = p.getExemplarsCount() == 0 ? null : exemplars(p.getExemplarsList(), ctx.keys);
        if (ctx.delta) {
            outcome(ctx, s.addDelta(ctx.sourceKey, reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex));
        } else if (ctx.merged()) {
            outcome(ctx, s.addCumulativeSource(ctx.sourceKey, reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(),
                    store.nowMillis(), MAX_SOURCES_PER_SERIES, ex));
        } else {
            outcome(ctx, s.setCumulative(reading, p.getStartTimeUnixNano(), p.getTimeUnixNano(), ex));
        }
    }

    /**
     * Bucket indexes beyond what a double can reach at this scale (|index| > 1024 * 2^scale) have
     * no meaning and would overflow index arithmetic; counts past 2^63 - 1 (unsigned) none either.
     */
    private static String badBuckets(int scale, ExponentialHistogramDataPoint.Buckets b) {
        int n = b.getBucketCountsCount();
        if (n == 0) {
            return null;
        }
        long limit = scale >= 0 ? 1024L << scale : Math.max(1, 1024L >> -scale);
        long first = b.getOffset();
        long last = first + n - 1;
        if (first < -limit - 1 || last > limit) {
            return "bucket indexes " + first + " to " + last + " are outside the range of doubles at scale " + scale;
        }
        for (int i = 0; i < n; i++) {
            if (b.getBucketCounts(i) < 0) {
                return "bucket count " + Long.toUnsignedString(b.getBucketCounts(i)) + " is past 2^63 - 1";
            }
        }
        return null;
    }

    private static ExponentialBuckets buckets(ExponentialHistogramDataPoint.Buckets b) {
        int n = b.getBucketCountsCount();
        if (n == 0) {
            return ExponentialBuckets.EMPTY;
        }
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            counts[i] = b.getBucketCounts(i);
        }
        return new ExponentialBuckets(b.getOffset(), counts);
    }

    private void summaryPoint(PointContext ctx, SummaryDataPoint p) {
        LabelSet labels = labels(ctx, p.getAttributesList());
        if (labels == null) {
            return;
        }
        if (noRecordedValue(p.getFlags())) {
            store.markStale(ctx.family, labels);
            return;
        }
        if (badStart(ctx, p.getStartTimeUnixNano())) {
            return;
        }
        if (p.getCount() < 0) {
            invalid(ctx, "count " + Long.toUnsignedString(p.getCount()) + " is past 2^63 - 1");
            return;
        }
        int n = p.getQuantileValuesCount();
        double[] q = new double[n];
        double[] v = new double[n];
        Set<Double> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            q[i] = p.getQuantileValues(i).getQuantile();
            v[i] = p.getQuantileValues(i).getValue();
            if (!(q[i] >= 0 && q[i] <= 1)) {
                invalid(ctx, "quantile " + q[i] + " is outside [0, 1]");
                return;
            }
            // -0.0 and 0.0 are one quantile to the exposition (it compares with ==)
            if (!seen.add(q[i] == 0 ? 0.0 : q[i])) {
                invalid(ctx, "quantile " + q[i] + " appears twice");
                return;
            }
        }
        SummarySeries s = series(ctx, labels, false, SummarySeries::create, SummarySeries.class);
        if (s != null) {
            outcome(ctx, s.set(q, v, p.getCount(), p.getSum(), p.getStartTimeUnixNano(), p.getTimeUnixNano()));
        }
    }

    private void invalid(PointContext ctx, String why) {
        reject(ctx.result, 1, INVALID_POINT, "metric '" + ctx.metric.getName() + "': " + why);
    }

    /** Exemplars as client_java holds them; their filtered attributes pass the privacy rules as labels do. */
    private Exemplar[] exemplars(List<io.opentelemetry.proto.metrics.v1.Exemplar> list, Keys keys) {
        Exemplar[] out = new Exemplar[list.size()];
        for (int i = 0; i < out.length; i++) {
            io.opentelemetry.proto.metrics.v1.Exemplar e = list.get(i);
            Exemplar.Builder b = Exemplar.builder()
                    .value(e.getValueCase() == io.opentelemetry.proto.metrics.v1.Exemplar.ValueCase.AS_INT
                            ? e.getAsInt() : e.getAsDouble())
                    .timestampMillis(Math.max(0, e.getTimeUnixNano() / 1_000_000L));
            if (!e.getTraceId().isEmpty()) {
                b.traceId(hex(e.getTraceId()));
            }
            if (!e.getSpanId().isEmpty()) {
                b.spanId(hex(e.getSpanId()));
            }
            if (e.getFilteredAttributesCount() > 0) {
                // OpenMetrics allows an exemplar 128 characters of labels; the ids come first
                int room = MAX_EXEMPLAR_LABEL_CHARS - (e.getTraceId().isEmpty() ? 0 : 8 + 2 * e.getTraceId().size())
                        - (e.getSpanId().isEmpty() ? 0 : 7 + 2 * e.getSpanId().size());
                List<String> names = new ArrayList<>();
                List<String> exposed = new ArrayList<>();
                List<String> values = new ArrayList<>();
                for (KeyValue kv : e.getFilteredAttributesList()) {
                    KeyDecision d = decision(keys, kv.getKey()); // counted as the rewrite counts it
                    if (d == DROPPED || kv.getKey().length() > config.getMaxLabelNameLength()) {
                        continue;
                    }
                    String label = labelName(kv.getKey());
                    String value = value(keys, d, kv);
                    if (label != null && !exposed.contains(PrometheusNaming.prometheusName(label))
                            && !label.equals("trace_id") && !label.equals("span_id")
                            && label.length() + value.length() <= room) {
                        room -= label.length() + value.length();
                        names.add(label);
                        exposed.add(PrometheusNaming.prometheusName(label));
                        values.add(value);
                    }
                }
                b.labels(Labels.of(names, values));
            }
            out[i] = b.build();
        }
        return out;
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /**
     * 64-bit FNV-1a over a string's chars, with a separator: identifies the source of a merged
     * series by its dropped attributes without keeping them.
     */
    static long fnv(long hash, String s) {
        long h = hash;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h = (h ^ (c & 0xff)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        return (h ^ 0xff) * FNV_PRIME;
    }

    static String hex(ByteString bytes) {
        char[] out = new char[bytes.size() * 2];
        for (int i = 0; i < bytes.size(); i++) {
            int v = bytes.byteAt(i) & 0xff;
            out[2 * i] = HEX[v >>> 4];
            out[2 * i + 1] = HEX[v & 0xf];
        }
        return new String(out);
    }

    private void reject(ExportResult result, long points, String reason, String message) {
        result.reject(points, message);
        telemetry.rejected(result.signal(), reason, points);
    }
}
