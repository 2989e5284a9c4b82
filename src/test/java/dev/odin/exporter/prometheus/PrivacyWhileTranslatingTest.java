package dev.odin.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.privacy.AttributeRules;
import dev.odin.privacy.MetricsPrivacy;
import dev.odin.privacy.PrivacyProperties;
import dev.odin.privacy.PrivacyProperties.Action;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
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
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The metric privacy rules applied while the translator builds labels give exactly what the
 * rewrite gave (MetricsPrivacy.applyRules, then the translation): the same exposition (text and
 * OpenMetrics, exemplars included), the same refusals and, where every point was translated, the
 * same count of attributes the rules applied to. Randomized: requests of every point type, with
 * resource, scope and point attributes from a small pool of keys (service.name among them, keys
 * too long, invalid, reserved or colliding), every rule kind (drop, hash, redact, by name and by
 * pattern), and the translator settings that decide which attributes become labels.
 */
class PrivacyWhileTranslatingTest {

    private static final String[] KEYS = {"service.name", "service.namespace", "service.instance.id", "user.email",
        "user.id", "session.id", "prompt", "model", "host.name", "a.b", "a_b", "__reserved", "le", "quantile", "ok",
        "a.very.long.attribute.key.of.forty.chars", "team", "type", "x"};
    private static final String[] VALUES = {"", "a", "checkout", "dev@example.com", "claude-sonnet-4-5",
        "a-value-that-is-longer-than-thirty-characters@example.com", "REDACTED", "payments"};

    @Property(tries = 300)
    void rulesAppliedWhileBuildingLabelsGiveWhatTheRewriteGave(@ForAll long seed) {
        Random random = new Random(seed);
        List<PrivacyProperties.Rule> ruleList = rules(random);
        boolean resourceToLabels = random.nextBoolean();
        boolean scopeLabels = random.nextBoolean();
        boolean targetInfo = random.nextBoolean();
        NamingStrategy naming = NamingStrategy.values()[random.nextInt(NamingStrategy.values().length)];
        int maxLabelValue = random.nextBoolean() ? 30 : 2048;
        int maxLabelName = random.nextBoolean() ? 30 : 128;
        List<MetricsProperties.DropRule> drops = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            MetricsProperties.DropRule d = new MetricsProperties.DropRule();
            d.setMetric("m*");
            d.setAttributes(List.of(pick(random, KEYS), pick(random, KEYS)));
            drops.add(d);
        }
        java.util.function.Consumer<MetricsProperties> config = m -> {
            m.setResourceToLabels(resourceToLabels);
            m.setScopeLabels(scopeLabels);
            m.setTargetInfo(targetInfo);
            m.setNaming(naming);
            m.setMaxLabelValueLength(maxLabelValue);
            m.setMaxLabelNameLength(maxLabelName);
            m.setDropAttributes(drops);
        };
        MetricEdits edits = null;
        if (random.nextInt(3) == 0) {
            edits = MetricEdits.label(null, new MetricEdits.StaticLabel(pick(random, KEYS), pick(random, VALUES),
                    "team", "payments"));
        }
        if (random.nextInt(4) == 0) {
            edits = MetricEdits.drop(edits, Set.of("m1"));
        }
        List<ExportMetricsServiceRequest> requests = new ArrayList<>();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            requests.add(request(random, 1_795_358_400_000_000_000L + requests.size() * 60_000_000_000L));
        }

        AttributeRules rewriteRules = new AttributeRules(ruleList, new byte[32], "test");
        AttributeRules buildRules = new AttributeRules(ruleList, new byte[32], "test");
        MetricsPrivacy rewrite = new MetricsPrivacy(rewriteRules);
        TranslatorHarness before = new TranslatorHarness(config);
        TranslatorHarness now = new TranslatorHarness(config);
        for (ExportMetricsServiceRequest request : requests) {
            long[] counted = new long[Action.values().length * 2];
            for (Action action : Action.values()) {
                counted[action.ordinal() * 2] = rewriteRules.applied(action);
                counted[action.ordinal() * 2 + 1] = buildRules.applied(action);
            }
            ExportResult a = new ExportResult(Signal.METRICS, Transport.HTTP);
            before.translator.translate(rewrite.applyRules(request), a, edits);
            ExportResult b = new ExportResult(Signal.METRICS, Transport.HTTP);
            now.translator.translate(request, b, edits, buildRules);
            assertThat(b.rejected()).as("refused points").isEqualTo(a.rejected());
            assertThat(b.message()).isEqualTo(a.message());
            assertThat(b.received()).isEqualTo(a.received());
            if (a.rejected() == 0 && edits == null) {
                for (Action action : Action.values()) {
                    assertThat(buildRules.applied(action) - counted[action.ordinal() * 2 + 1]).as("applied " + action)
                            .isEqualTo(rewriteRules.applied(action) - counted[action.ordinal() * 2]);
                }
            }
        }
        assertThat(now.scrape().text()).isEqualTo(before.scrape().text());
        assertThat(now.scrapeOpenMetrics()).isEqualTo(before.scrapeOpenMetrics());
    }

    /**
     * Through the route's steps: the privacy step attaches the rules and leaves the body as it is;
     * the translation applies them; a request the rewrite already rebuilt (a route that also
     * rewrites, for an export) is not hashed a second time.
     */
    @Test
    void theRouteStepAttachesTheRulesAndARewrittenRequestIsNotHashedTwice() {
        AttributeRules rules = new AttributeRules(
                List.of(new PrivacyProperties.Rule("user.email", null, Action.HASH)), new byte[32], "test");
        MetricsPrivacy privacy = new MetricsPrivacy(rules);
        ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code")))
                        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g")
                                .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                                        .addAttributes(kv("user.email", "dev@example.com")).setAsDouble(1)
                                        .setTimeUnixNano(1)))))).build();
        String hashed = rules.hash("dev@example.com");
        CamelContext camel = new DefaultCamelContext();

        TranslatorHarness attached = new TranslatorHarness();
        Exchange exchange = exchange(camel, request);
        privacy.attachRules(exchange);
        assertThat(exchange.getMessage().getBody()).isSameAs(request);
        attached.translator.process(exchange);
        assertThat(attached.scrape().text()).contains("user_email=\"" + hashed + "\"").doesNotContain("dev@example");

        TranslatorHarness both = new TranslatorHarness();
        Exchange twice = exchange(camel, request);
        privacy.attachRules(twice);
        twice.getMessage().setBody(privacy.applyRules(request));
        both.translator.process(twice);
        assertThat(both.scrape().text()).isEqualTo(attached.scrape().text());

        TranslatorHarness rewrittenFirst = new TranslatorHarness();
        Exchange first = exchange(camel, privacy.applyRules(request));
        privacy.process(first); // the step as a process: step, after a rewrite
        rewrittenFirst.translator.process(first);
        assertThat(rewrittenFirst.scrape().text()).isEqualTo(attached.scrape().text());

        TranslatorHarness without = new TranslatorHarness();
        without.translator.process(exchange(camel, request));
        assertThat(without.scrape().text()).contains("user_email=\"dev@example.com\"");
    }

    /**
     * An exemplar's filtered attributes are point attributes the SDK left out of the point: the
     * rules apply to them as to labels, on both paths (translation and the rewrite an export uses).
     */
    @Test
    void exemplarAttributesPassTheRulesOnBothPaths() {
        AttributeRules rules = new AttributeRules(List.of(new PrivacyProperties.Rule("user.email", null, Action.HASH),
                new PrivacyProperties.Rule("prompt", null, Action.DROP)), new byte[32], "test");
        MetricsPrivacy privacy = new MetricsPrivacy(rules);
        ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code")))
                        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("c")
                                .setSum(Sum.newBuilder().setIsMonotonic(true)
                                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                                        .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(3).setTimeUnixNano(2)
                                                .setStartTimeUnixNano(1)
                                                .addExemplars(Exemplar.newBuilder().setAsDouble(1).setTimeUnixNano(2)
                                                        .addFilteredAttributes(kv("user.email", "dev@example.com"))
                                                        .addFilteredAttributes(kv("prompt", "secret plan"))
                                                        .addFilteredAttributes(kv("tool", "Bash")))))))).build();
        String hashed = rules.hash("dev@example.com");

        TranslatorHarness translated = new TranslatorHarness();
        translated.translator.translate(request, new ExportResult(Signal.METRICS, Transport.HTTP), null, rules);
        String om = translated.scrapeOpenMetrics();
        assertThat(om).contains("user_email=\"" + hashed + "\"").contains("tool=\"Bash\"")
                .doesNotContain("dev@example").doesNotContain("secret").doesNotContain("prompt");

        ExportMetricsServiceRequest rewritten = privacy.applyRules(request);
        List<KeyValue> exemplar = rewritten.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum()
                .getDataPoints(0).getExemplars(0).getFilteredAttributesList();
        assertThat(exemplar).containsExactly(kv("user.email", hashed), kv("tool", "Bash"));
    }

    private static Exchange exchange(CamelContext camel, ExportMetricsServiceRequest request) {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setBody(request);
        e.setProperty(ExportResult.PROPERTY, new ExportResult(Signal.METRICS, Transport.HTTP));
        return e;
    }

    private static List<PrivacyProperties.Rule> rules(Random random) {
        List<PrivacyProperties.Rule> out = new ArrayList<>();
        for (String key : KEYS) {
            if (random.nextInt(4) == 0) {
                out.add(new PrivacyProperties.Rule(key, null, Action.values()[random.nextInt(3)]));
            }
        }
        if (random.nextBoolean()) {
            String[] patterns = {"user\\..*", "service\\..*", "a.*", ".*id", "(?!ok).*"};
            out.add(new PrivacyProperties.Rule(null, pick(random, patterns), Action.values()[random.nextInt(3)]));
        }
        return out;
    }

    private static ExportMetricsServiceRequest request(Random random, long now) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        for (int r = 1 + random.nextInt(2); r > 0; r--) {
            ResourceMetrics.Builder rm = ResourceMetrics.newBuilder()
                    .setResource(Resource.newBuilder().addAllAttributes(attributes(random, 4)));
            for (int s = 1 + random.nextInt(2); s > 0; s--) {
                ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setSchemaUrl(random.nextBoolean() ? "" : "https://x")
                        .setScope(InstrumentationScope.newBuilder().setName("scope" + random.nextInt(2))
                                .setVersion("1").addAllAttributes(attributes(random, 2)));
                for (int m = 1 + random.nextInt(4); m > 0; m--) {
                    sm.addMetrics(metric(random, now));
                }
                rm.addScopeMetrics(sm);
            }
            b.addResourceMetrics(rm);
        }
        return b.build();
    }

    private static Metric metric(Random random, long now) {
        Metric.Builder m = Metric.newBuilder().setName("m" + random.nextInt(6)).setUnit(random.nextBoolean() ? "" : "ms");
        int points = 1 + random.nextInt(3);
        long start = now - 60_000_000_000L;
        switch (random.nextInt(5)) {
            case 0 -> {
                Gauge.Builder g = Gauge.newBuilder();
                for (int i = 0; i < points; i++) {
                    g.addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attributes(random, 4))
                            .setTimeUnixNano(now).setAsDouble(random.nextInt(100)).addAllExemplars(exemplars(random)));
                }
                m.setGauge(g);
            }
            case 1 -> {
                Sum.Builder s = Sum.newBuilder().setIsMonotonic(true).setAggregationTemporality(random.nextBoolean()
                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                        : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
                for (int i = 0; i < points; i++) {
                    s.addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attributes(random, 4))
                            .setStartTimeUnixNano(start).setTimeUnixNano(now).setAsInt(random.nextInt(100))
                            .addAllExemplars(exemplars(random)));
                }
                m.setSum(s);
            }
            case 2 -> {
                Histogram.Builder h = Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
                for (int i = 0; i < points; i++) {
                    h.addDataPoints(HistogramDataPoint.newBuilder().addAllAttributes(attributes(random, 4))
                            .setStartTimeUnixNano(start).setTimeUnixNano(now).setCount(3).setSum(12)
                            .addExplicitBounds(5).addBucketCounts(1).addBucketCounts(2)
                            .addAllExemplars(exemplars(random)));
                }
                m.setHistogram(h);
            }
            case 3 -> {
                ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
                for (int i = 0; i < points; i++) {
                    h.addDataPoints(ExponentialHistogramDataPoint.newBuilder().addAllAttributes(attributes(random, 4))
                            .setStartTimeUnixNano(start).setTimeUnixNano(now).setScale(2).setCount(3).setSum(5)
                            .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1)
                                    .addBucketCounts(3)));
                }
                m.setExponentialHistogram(h);
            }
            default -> {
                Summary.Builder s = Summary.newBuilder();
                for (int i = 0; i < points; i++) {
                    s.addDataPoints(SummaryDataPoint.newBuilder().addAllAttributes(attributes(random, 4))
                            .setStartTimeUnixNano(start).setTimeUnixNano(now).setCount(2).setSum(3)
                            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5)
                                    .setValue(1)));
                }
                m.setSummary(s);
            }
        }
        return m.build();
    }

    private static List<Exemplar> exemplars(Random random) {
        if (random.nextInt(3) != 0) {
            return List.of();
        }
        return List.of(Exemplar.newBuilder().setAsDouble(1).setTimeUnixNano(1)
                .addAllFilteredAttributes(attributes(random, 2)).build());
    }

    private static List<KeyValue> attributes(Random random, int max) {
        List<KeyValue> out = new ArrayList<>();
        for (int n = random.nextInt(max + 1); n > 0; n--) {
            String key = pick(random, KEYS);
            AnyValue value = switch (random.nextInt(6)) {
                case 0 -> AnyValue.newBuilder().setIntValue(random.nextInt(3)).build();
                case 1 -> AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
                case 2 -> AnyValue.newBuilder().setDoubleValue(random.nextInt(3) / 2.0).build();
                default -> AnyValue.newBuilder().setStringValue(pick(random, VALUES)).build();
            };
            out.add(KeyValue.newBuilder().setKey(key).setValue(value).build());
        }
        return out;
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static <T> T pick(Random random, T[] from) {
        return from[random.nextInt(from.length)];
    }
}
