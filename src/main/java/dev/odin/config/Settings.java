package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The names of ODIN's settings: the {@code odin.*} keys its {@code @ConfigurationProperties}
 * classes declare (the metadata the configuration processor writes into the jar) and the keys of
 * the embedded application.yaml, each with the environment variable Spring Boot binds to it.
 */
public final class Settings {

    /** A known key; {@code collection}: a list or map whose elements are keys below it. */
    public record Key(String name, boolean collection) {

        /** The environment variable Spring Boot binds: dots to underscores, dashes dropped. */
        public String env() {
            return Settings.env(name);
        }

        /** The older form Spring Boot also binds: dashes to underscores as well. */
        String legacyEnv() {
            return name.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
        }
    }

    private final List<Key> keys;

    Settings(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /** The environment variable for a key: {@code odin.otlp.grpc.port} -> {@code ODIN_OTLP_GRPC_PORT}. */
    public static String env(String key) {
        return RefusedStartException.env(key);
    }

    /** {@code odin.data-dir (ODIN_DATADIR)}: how a refusal names the setting to change. */
    public static String named(String key) {
        return RefusedStartException.setting(key);
    }

    /** The odin.* keys in the configuration metadata on the class path, plus {@code extra}. */
    static Settings load(ClassLoader loader, Iterable<String> extra) {
        List<Key> keys = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        for (JsonNode root : OdinDefaults.metadata(loader)) {
            for (JsonNode p : root.path("properties")) {
                String name = p.path("name").asText();
                if (name.startsWith("odin.") && seen.add(name)) {
                    String type = p.path("type").asText("");
                    keys.add(new Key(name, type.startsWith("java.util.List") || type.startsWith("java.util.Map")
                            || type.startsWith("java.util.Set") || type.endsWith("[]")));
                }
            }
        }
        for (String name : extra) {
            String plain = name.replaceAll("\\[\\d+]", "");
            if (plain.startsWith("odin.") && seen.add(plain)) {
                keys.add(new Key(plain, !plain.equals(name)));
            }
        }
        return new Settings(keys);
    }

    public List<Key> keys() {
        return keys;
    }

    /** Whether an {@code ODIN_*} environment variable is one Spring Boot binds to a known key. */
    public boolean knowsEnv(String variable) {
        String v = variable.toUpperCase(Locale.ROOT);
        for (Key k : keys) {
            for (String form : List.of(k.env(), k.legacyEnv())) {
                if (v.equals(form) || (k.collection() && v.startsWith(form + "_"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a property name ({@code odin.metrics.series-expiry}, any case, dashes or not) is known. */
    public boolean knowsProperty(String property) {
        String p = canonical(property.replaceAll("\\[[^]]*]", ".x"));
        for (Key k : keys) {
            String c = canonical(k.name());
            if (p.equals(c) || (k.collection() && p.startsWith(c + "."))) {
                return true;
            }
        }
        return false;
    }

    /** The known key whose environment variable is nearest to {@code variable} (edit distance). */
    public Optional<Key> nearestToEnv(String variable) {
        String v = variable.toUpperCase(Locale.ROOT);
        return nearest(k -> distance(v, k.env()));
    }

    /** The known key nearest to a property name (edit distance over canonical names). */
    public Optional<Key> nearestToProperty(String property) {
        String p = canonical(property);
        return nearest(k -> distance(p, canonical(k.name())));
    }

    private Optional<Key> nearest(java.util.function.ToIntFunction<Key> distance) {
        Key best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Key k : keys) {
            int d = distance.applyAsInt(k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
