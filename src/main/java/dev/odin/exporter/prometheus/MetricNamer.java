package dev.odin.exporter.prometheus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates an OTLP metric name and unit into a Prometheus metric name, following Prometheus'
 * otlptranslator (see docs/metrics.md). Stateless and thread-safe; callers cache results.
 */
public final class MetricNamer {

    /** What kind of OTLP metric is being named: decides the `_total` and `_ratio` suffixes. */
    public enum Kind { COUNTER, GAUGE, OTHER }

    private static final Map<String, String> MAIN_UNITS = Map.ofEntries(
            Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"),
            Map.entry("s", "seconds"), Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"),
            Map.entry("ns", "nanoseconds"), Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"),
            Map.entry("MiBy", "mebibytes"), Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"),
            Map.entry("KBy", "kilobytes"), Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"),
            Map.entry("TBy", "terabytes"), Map.entry("m", "meters"), Map.entry("V", "volts"),
            Map.entry("A", "amperes"), Map.entry("J", "joules"), Map.entry("W", "watts"),
            Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
            Map.entry("%", "percent"), Map.entry("1", ""));

    private static final Map<String, String> PER_UNITS = Map.of(
            "s", "second", "m", "minute", "h", "hour", "d", "day",
            "w", "week", "mo", "month", "y", "year");

    private final NamingStrategy strategy;

    public MetricNamer(NamingStrategy strategy) {
        this.strategy = strategy;
    }

    public NamingStrategy strategy() {
        return strategy;
    }

    /**
     * @return the Prometheus name, never empty
     * @throws IllegalArgumentException when the name translates to nothing
     */
    public String name(String otlpName, String unit, Kind kind) {
        if (otlpName == null || otlpName.isEmpty()) {
            throw new IllegalArgumentException("empty metric name");
        }
        String result = strategy.escapes() ? escaped(otlpName, unit, kind) : utf8(otlpName, unit, kind);
        if (result.isEmpty()) {
            throw new IllegalArgumentException("metric name '" + otlpName + "' translates to an empty name");
        }
        return result;
    }

    private String escaped(String otlpName, String unit, Kind kind) {
        List<String> tokens = tokens(otlpName);
        if (strategy.addsSuffixes()) {
            String[] suffixes = unitSuffixes(unit, true);
            String mainSuffix = suffixes[0];
            String perSuffix = suffixes[1];
            if (!mainSuffix.isEmpty() && !tokens.contains(mainSuffix)) {
                tokens.add(mainSuffix);
            }
            if (!perSuffix.isEmpty() && !tokens.contains(perSuffix)) {
                tokens.add(perSuffix);
            }
            if (kind == Kind.COUNTER) {
                tokens.removeIf("total"::equals);
                tokens.add("total");
            }
            if (kind == Kind.GAUGE && "1".equals(unit)) {
                tokens.removeIf("ratio"::equals);
                tokens.add("ratio");
            }
        }
        String joined = String.join("_", tokens);
        if (!joined.isEmpty() && Character.isDigit(joined.charAt(0))) {
            joined = "_" + joined;
        }
        return joined;
    }

    /** Names kept as sent; suffixes appended unless already there (otlptranslator's UTF-8 mode). */
    private String utf8(String otlpName, String unit, Kind kind) {
        if (!strategy.addsSuffixes()) {
            return otlpName;
        }
        StringBuilder name = new StringBuilder(otlpName);
        String[] suffixes = unitSuffixes(unit, false);
        if (!suffixes[0].isEmpty() && !endsWith(name, "_" + suffixes[0])) {
            name.append('_').append(suffixes[0]);
        }
        if (!suffixes[1].isEmpty() && !endsWith(name, "_" + suffixes[1])) {
            name.append('_').append(suffixes[1]);
        }
        if (kind == Kind.COUNTER && !endsWith(name, "_total")) {
            name.append("_total");
        }
        if (kind == Kind.GAUGE && "1".equals(unit) && !endsWith(name, "_ratio")) {
            name.append("_ratio");
        }
        return name.toString();
    }

    private static boolean endsWith(StringBuilder sb, String suffix) {
        int start = sb.length() - suffix.length();
        return start >= 0 && sb.indexOf(suffix, start) == start;
    }

    /** Splits on every character outside ASCII [a-zA-Z0-9:]; empty tokens vanish. */
    static List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>(6);
        int start = -1;
        for (int i = 0; i < name.length(); i++) {
            if (isNameChar(name.charAt(i))) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                tokens.add(name.substring(start, i));
                start = -1;
            }
        }
        if (start >= 0) {
            tokens.add(name.substring(start));
        }
        return tokens;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
    }

    /**
     * @return {main suffix, per suffix}, each possibly empty; the per suffix already carries its
     *     {@code per_} prefix
     */
    static String[] unitSuffixes(String unit, boolean sanitize) {
        if (unit == null || unit.isEmpty()) {
            return new String[] {"", ""};
        }
        String main = unit;
        String per = "";
        int slash = unit.indexOf('/');
        if (slash >= 0) {
            main = unit.substring(0, slash);
            per = unit.substring(slash + 1);
        }
        main = main.strip();
        per = per.strip();
        String mainSuffix = "";
        if (!main.isEmpty() && !hasBraces(main)) {
            mainSuffix = MAIN_UNITS.getOrDefault(main, main);
        }
        String perSuffix = "";
        if (!per.isEmpty() && !hasBraces(per)) {
            perSuffix = "per_" + PER_UNITS.getOrDefault(per, per);
        }
        if (sanitize) {
            mainSuffix = cleanSuffix(mainSuffix, !perSuffix.isEmpty());
            perSuffix = cleanSuffix(perSuffix, false);
        }
        return new String[] {mainSuffix, perSuffix};
    }

    private static boolean hasBraces(String s) {
        return s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
    }

    /**
     * Invalid characters become '_', runs collapse, one leading '_' goes; a trailing '_' goes only
     * when a per part follows (it would otherwise double up with the joining '_').
     */
    private static String cleanSuffix(String suffix, boolean perFollows) {
        if (suffix.isEmpty()) {
            return suffix;
        }
        StringBuilder out = new StringBuilder(suffix.length());
        for (int i = 0; i < suffix.length(); i++) {
            char c = suffix.charAt(i);
            char mapped = isNameChar(c) ? c : '_';
            if (mapped == '_' && out.length() > 0 && out.charAt(out.length() - 1) == '_') {
                continue;
            }
            out.append(mapped);
        }
        if (out.length() > 0 && out.charAt(0) == '_') {
            out.deleteCharAt(0);
        }
        if (perFollows && out.length() > 0 && out.charAt(out.length() - 1) == '_') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }
}
