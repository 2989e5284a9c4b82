package dev.odin.usage;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * A versioned price table (src/main/resources/pricing/anthropic.yaml, or a file that overrides
 * it): USD per million tokens per model and token kind, with a long-context tier. Costs are
 * computed in decimal, so a sum of many requests has no binary rounding drift.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Prices of one tier, USD per million tokens. */
    record Rates(BigDecimal input, BigDecimal output, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h,
            BigDecimal cacheRead) {
        BigDecimal cost(TokenUsage u) {
            return input.multiply(BigDecimal.valueOf(u.input()))
                    .add(output.multiply(BigDecimal.valueOf(u.output())))
                    .add(cacheWrite5m.multiply(BigDecimal.valueOf(u.cacheWrite5m())))
                    .add(cacheWrite1h.multiply(BigDecimal.valueOf(u.cacheWrite1h())))
                    .add(cacheRead.multiply(BigDecimal.valueOf(u.cacheRead())))
                    .divide(MILLION, MathContext.DECIMAL64);
        }
    }

    record Model(String match, Rates standard, Rates longContext) {
    }

    private final String version;
    private final long longContextThreshold;
    private final List<Model> models;

    private Pricing(String version, long longContextThreshold, List<Model> models) {
        this.version = version;
        this.longContextThreshold = longContextThreshold;
        this.models = models;
    }

    /** The table the jar carries. */
    public static Pricing builtIn() {
        try (InputStream in = Pricing.class.getResourceAsStream("/pricing/anthropic.yaml")) {
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("the built-in price table cannot be read", e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Pricing parse(InputStream yaml) {
        Map<String, Object> doc = new Yaml().load(yaml);
        List<Model> models = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("models")) {
            Map<String, Object> lc = (Map<String, Object>) m.get("long-context");
            models.add(new Model((String) m.get("match"), rates(m), lc == null ? null : rates(lc)));
        }
        return new Pricing(String.valueOf(doc.get("version")),
                ((Number) doc.getOrDefault("long-context-threshold", 200_000)).longValue(), List.copyOf(models));
    }

    private static Rates rates(Map<String, Object> m) {
        return new Rates(price(m, "input"), price(m, "output"), price(m, "cache-write-5m"), price(m, "cache-write-1h"),
                price(m, "cache-read"));
    }

    private static BigDecimal price(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("price table entry " + m.get("match") + " has no " + key);
        }
        return new BigDecimal(v.toString());
    }

    public String version() {
        return version;
    }

    /** @return the cost of one request in USD, or null when the model is not in the table */
    public BigDecimal cost(String model, TokenUsage usage) {
        for (Model m : models) {
            if (model != null && model.startsWith(m.match())) {
                boolean longContext = m.longContext() != null && usage.promptTokens() > longContextThreshold;
                return (longContext ? m.longContext() : m.standard()).cost(usage);
            }
        }
        return null;
    }
}
