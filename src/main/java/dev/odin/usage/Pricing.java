package dev.odin.usage;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * A versioned price table (src/main/resources/pricing/anthropic.yaml, or a file that overrides
 * it): USD per million tokens per model and token kind, with a long-context tier (above a
 * per-model prompt size) and fast-mode rates where Anthropic prices them differently. Costs are
 * computed in decimal, so a sum of many requests has no binary rounding drift.
 *
 * <p>A model is found by its exact id or one of its listed aliases, never by a prefix: a prefix
 * priced claude-opus-4-8 at Opus 4 rates once. Before the lookup the spellings that name the
 * same model are reduced to its id, each rule explicit: letter case, a {@code [1m]}/{@code [2m]}
 * context suffix, a gateway route or ARN before the last {@code /}, a Bedrock
 * {@code [region.]anthropic.} prefix and {@code -v1:0} suffix, a Vertex {@code @20250514} date, a
 * {@code -fast} suffix (fast rates). A request served by US-only inference costs its tokens times
 * {@code us-only-multiplier} (1.1); web searches cost {@code web-search-request} each ($0.01, per
 * model or for the table). A dated id ({@code claude-opus-4-5-20251101}) not listed
 * itself is looked up without its {@code -YYYYMMDD} date. Anything else is not priced: the cost
 * is null, never a guess.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final Pattern CONTEXT_SUFFIX = Pattern.compile("\\[[12]m]$");
    private static final Pattern BEDROCK_PREFIX = Pattern.compile("^(?:[a-z]+\\.)?anthropic\\.");
    private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(?::\\d+)?$");
    private static final Pattern VERTEX_DATE = Pattern.compile("@(\\d{8})$");
    private static final Pattern DATE_SUFFIX = Pattern.compile("-\\d{8}$");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]*");

    /** Prices of one tier, USD per million tokens. */
    record Rates(BigDecimal input, BigDecimal output, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h,
            BigDecimal cacheRead) {
        BigDecimal cost(TokenUsage u) {
            return input.multiply(BigDecimal.valueOf(u.input()))
                    .add(output.multiply(BigDecimal.valueOf(u.output())))
                    .add(cacheWrite5m.multiply(BigDecimal.valueOf(u.cacheWrite5m())))
                    .add(cacheWrite1h.multiply(BigDecimal.valueOf(u.cacheWrite1h())))
                    .add(cacheRead.multiply(BigDecimal.valueOf(u.cacheRead())))
                    .divide(MILLION, MathContext.DECIMAL128);
        }
    }

    /**
     * One model's prices: standard, the long-context tier (null: none) for requests whose prompt
     * is above {@code longContextAbove} tokens, fast mode (null: fast is billed as standard).
     */
    record Model(String id, Rates standard, long longContextAbove, Rates longContext, Rates fast,
            BigDecimal webSearchRequest) {
    }

    /** Anthropic's US-only inference multiplier ({@code inference_geo: "us"}), when the table names none. */
    static final BigDecimal US_ONLY_MULTIPLIER = new BigDecimal("1.1");
    /** USD per web search ($10 per 1,000), when the table names none. */
    static final BigDecimal WEB_SEARCH_REQUEST = new BigDecimal("0.01");

    private final String version;
    private final Map<String, Model> byName;
    private final List<Model> models;
    private final BigDecimal usOnlyMultiplier;

    private Pricing(String version, List<Model> models, Map<String, Model> byName, BigDecimal usOnlyMultiplier) {
        this.version = version;
        this.models = models;
        this.byName = byName;
        this.usOnlyMultiplier = usOnlyMultiplier;
    }

    /** The table the jar carries. */
    public static Pricing builtIn() {
        try (InputStream in = Pricing.class.getResourceAsStream("/pricing/anthropic.yaml")) {
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("the built-in price table cannot be read", e);
        }
    }

    /** @throws IllegalArgumentException naming the entry and field when the table is not valid */
    @SuppressWarnings("unchecked")
    public static Pricing parse(InputStream yaml) {
        Object loaded = new Yaml().load(yaml);
        if (!(loaded instanceof Map<?, ?> doc) || !(doc.get("models") instanceof List<?> list)) {
            throw new IllegalArgumentException("a price table is a map with a list `models`");
        }
        long defaultThreshold = number(doc, "long-context-threshold", 200_000, "the table");
        Map<String, Object> top = (Map<String, Object>) doc;
        BigDecimal usOnly = top.containsKey("us-only-multiplier") ? price(top, "us-only-multiplier", "the table")
                : US_ONLY_MULTIPLIER;
        BigDecimal webSearch = top.containsKey("web-search-request") ? price(top, "web-search-request", "the table")
                : WEB_SEARCH_REQUEST;
        List<Model> models = new ArrayList<>();
        Map<String, Model> byName = new HashMap<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> raw)) {
                throw new IllegalArgumentException("price table entry " + o + " is not a map");
            }
            Map<String, Object> m = (Map<String, Object>) raw;
            if (m.containsKey("match")) {
                throw new IllegalArgumentException("price table entry " + m.get("match") + ": `match` (a prefix) is no"
                        + " longer read, it priced models at the wrong rates; name the model with `id` and its other"
                        + " spellings with `aliases`");
            }
            String id = name(m.get("id"), m);
            Map<String, Object> lc = map(m, "long-context", id);
            Map<String, Object> fast = map(m, "fast", id);
            Model model = new Model(id, rates(m, id), lc == null ? 0 : number(lc, "above-prompt-tokens", defaultThreshold, id),
                    lc == null ? null : rates(lc, id + " long-context"), fast == null ? null : rates(fast, id + " fast"),
                    m.containsKey("web-search-request") ? price(m, "web-search-request", id) : webSearch);
            models.add(model);
            List<String> names = new ArrayList<>(List.of(id));
            if (m.get("aliases") instanceof List<?> aliases) {
                for (Object a : aliases) {
                    names.add(name(a, m));
                }
            } else if (m.get("aliases") != null) {
                throw new IllegalArgumentException("price table entry " + id + ": `aliases` is not a list");
            }
            for (String n : names) {
                Model before = byName.putIfAbsent(n, model);
                if (before != null) {
                    throw new IllegalArgumentException("price table: " + n + " is named by both " + before.id() + " and "
                            + id);
                }
            }
        }
        return new Pricing(String.valueOf(doc.get("version")), List.copyOf(models), Map.copyOf(byName), usOnly);
    }

    private static String name(Object v, Map<String, Object> entry) {
        String s = v == null ? "" : v.toString().trim().toLowerCase(Locale.ROOT);
        if (!ID.matcher(s).matches()) {
            throw new IllegalArgumentException("price table entry " + entry.get("id") + ": model name '" + v
                    + "' is not a lower-case model id");
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key, String id) {
        Object v = m.get(key);
        if (v != null && !(v instanceof Map)) {
            throw new IllegalArgumentException("price table entry " + id + ": `" + key + "` is not a map");
        }
        return (Map<String, Object>) v;
    }

    private static long number(Map<?, ?> m, String key, long otherwise, String where) {
        Object v = m.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!(v instanceof Number n) || n.longValue() <= 0) {
            throw new IllegalArgumentException("price table " + where + ": `" + key + "` is not a positive number");
        }
        return n.longValue();
    }

    private static Rates rates(Map<String, Object> m, String where) {
        return new Rates(price(m, "input", where), price(m, "output", where), price(m, "cache-write-5m", where),
                price(m, "cache-write-1h", where), price(m, "cache-read", where));
    }

    private static BigDecimal price(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("price table entry " + where + " has no " + key);
        }
        try {
            BigDecimal d = new BigDecimal(v.toString());
            if (d.signum() < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("price table entry " + where + ": " + key + " '" + v
                    + "' is not a non-negative decimal");
        }
    }

    public String version() {
        return version;
    }

    /** The ids of the table's models, in the table's order. */
    public List<String> modelIds() {
        return models.stream().map(Model::id).toList();
    }

    /**
     * @return the cost of one request in USD, or null when the model is not in the table: its
     *     tokens at the rates of its speed ({@link TokenUsage#fast()}) and tier, times the US-only
     *     multiplier when {@link TokenUsage#usOnly()}, plus its web searches at the per-search
     *     price (not multiplied), as Claude Code computes its own cost
     */
    public BigDecimal cost(String model, TokenUsage usage) {
        return cost(model, usage, false);
    }

    /**
     * @param fast the request ran in fast mode (Claude Code's {@code speed: "fast"}) even if
     *     {@code usage} does not say so: the model's fast rates (which replace the long-context
     *     tier), its standard ones when it has none
     * @return the cost of one request in USD, or null when the model is not in the table
     */
    public BigDecimal cost(String model, TokenUsage usage, boolean fast) {
        Lookup l = lookup(model);
        if (l == null) {
            return null;
        }
        Model m = l.model();
        BigDecimal tokens;
        if ((fast || usage.fast() || l.fast()) && m.fast() != null) {
            tokens = m.fast().cost(usage);
        } else {
            boolean longContext = m.longContext() != null && usage.promptTokens() > m.longContextAbove();
            tokens = (longContext ? m.longContext() : m.standard()).cost(usage);
        }
        if (usage.usOnly()) {
            tokens = tokens.multiply(usOnlyMultiplier);
        }
        if (usage.webSearchRequests() > 0) {
            tokens = tokens.add(m.webSearchRequest().multiply(BigDecimal.valueOf(usage.webSearchRequests())));
        }
        return tokens;
    }

    /** @return the table id the model name is priced as, or null when it is not priced */
    public String pricedAs(String model) {
        Lookup l = lookup(model);
        return l == null ? null : l.model().id();
    }

    private record Lookup(Model model, boolean fast) {
    }

    private Lookup lookup(String model) {
        if (model == null) {
            return null;
        }
        String n = model.trim().toLowerCase(Locale.ROOT);
        n = CONTEXT_SUFFIX.matcher(n).replaceFirst("");
        int slash = n.lastIndexOf('/');
        if (slash >= 0) {
            n = n.substring(slash + 1);
        }
        n = BEDROCK_PREFIX.matcher(n).replaceFirst("");
        n = BEDROCK_VERSION.matcher(n).replaceFirst("");
        Matcher vertex = VERTEX_DATE.matcher(n);
        if (vertex.find()) {
            n = n.substring(0, vertex.start()) + "-" + vertex.group(1);
        }
        boolean fast = false;
        if (n.endsWith("-fast") && !byName.containsKey(n)) {
            n = n.substring(0, n.length() - "-fast".length());
            fast = true;
        }
        Model m = byName.get(n);
        if (m == null && DATE_SUFFIX.matcher(n).find()) {
            m = byName.get(DATE_SUFFIX.matcher(n).replaceFirst(""));
        }
        return m == null ? null : new Lookup(m, fast);
    }
}
