package dev.odin.alerting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which alerts a channel takes: its severities first (empty: all), then Alertmanager-style label
 * matchers, all of which must hold: {@code name=value}, {@code name!=value}, {@code name=~regex},
 * {@code name!~regex} (regexes anchored, as in Alertmanager).
 */
final class Matchers {

    private record Matcher(String label, String op, String value, Pattern regex) {
        boolean matches(Map<String, String> labels) {
            String v = labels.getOrDefault(label, "");
            switch (op) {
                case "=":
                    return v.equals(value);
                case "!=":
                    return !v.equals(value);
                case "=~":
                    return regex.matcher(v).matches();
                default:
                    return !regex.matcher(v).matches();
            }
        }
    }

    private final List<String> severities;
    private final List<Matcher> matchers = new ArrayList<>();

    Matchers(List<String> severities, List<String> specs) {
        this.severities = severities;
        for (String spec : specs) {
            matchers.add(parse(spec));
        }
    }

    static Matcher parse(String spec) {
        for (String op : new String[] {"=~", "!~", "!=", "="}) {
            int i = spec.indexOf(op);
            if (i > 0) {
                String label = spec.substring(0, i).trim();
                String value = spec.substring(i + op.length()).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                Pattern regex = op.contains("~") ? Pattern.compile(value) : null;
                return new Matcher(label, op, value, regex);
            }
        }
        throw new IllegalArgumentException("not a label matcher (name=value, !=, =~, !~): " + spec);
    }

    boolean matches(Map<String, String> labels) {
        if (!severities.isEmpty() && !severities.contains(labels.getOrDefault("severity", ""))) {
            return false;
        }
        for (Matcher m : matchers) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
