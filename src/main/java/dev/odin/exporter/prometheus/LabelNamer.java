package dev.odin.exporter.prometheus;

/**
 * Translates an OTLP attribute key into a Prometheus label name (otlptranslator's rules, see
 * docs/metrics.md). Stateless and thread-safe; callers cache results.
 */
public final class LabelNamer {

    private final boolean utf8;
    private final boolean keepUnderscoreRuns;

    /**
     * @param utf8 pass keys through untouched (the UTF-8 naming strategies)
     * @param keepUnderscoreRuns the Collector exporter's compatibility mode: runs of '_' are kept
     */
    public LabelNamer(boolean utf8, boolean keepUnderscoreRuns) {
        this.utf8 = utf8;
        this.keepUnderscoreRuns = keepUnderscoreRuns;
    }

    /** @return the label name, or null when the key translates to nothing usable */
    public String name(String key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        if (utf8) {
            return key;
        }
        String name = keepUnderscoreRuns ? replaceInvalid(key) : collapse(key);
        if (onlyUnderscores(name)) {
            return null;
        }
        if (Character.isDigit(name.charAt(0))) {
            name = "key_" + name;
        }
        return name;
    }

    private static boolean valid(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String replaceInvalid(String key) {
        char[] out = null;
        for (int i = 0; i < key.length(); i++) {
            if (!valid(key.charAt(i))) {
                if (out == null) {
                    out = key.toCharArray();
                }
                out[i] = '_';
            }
        }
        return out == null ? key : new String(out);
    }

    /** Runs of '_' collapse to one, except that a `__x__` wrapper keeps its double underscores. */
    private static String collapse(String key) {
        String mapped = replaceInvalid(key);
        boolean wrapped = mapped.length() > 4 && mapped.startsWith("__") && mapped.endsWith("__");
        String core = wrapped ? mapped.substring(2, mapped.length() - 2) : mapped;
        StringBuilder out = null;
        for (int i = 0; i < core.length(); i++) {
            char c = core.charAt(i);
            boolean dup = c == '_' && i > 0 && core.charAt(i - 1) == '_';
            if (dup && out == null) {
                out = new StringBuilder(core.length());
                out.append(core, 0, i);
            }
            if (out != null && !dup) {
                out.append(c);
            }
        }
        String collapsed = out == null ? core : out.toString();
        return wrapped ? "__" + collapsed + "__" : collapsed;
    }

    private static boolean onlyUnderscores(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '_') {
                return false;
            }
        }
        return true;
    }
}
