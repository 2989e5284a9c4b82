package dev.odin.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed Prometheus text exposition: sample lines keyed by everything before the value
 * ({@code name{labels}}), in the order they were written.
 */
public final class Exposition {

    private final String text;
    private final Map<String, String> samples = new LinkedHashMap<>();

    public Exposition(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), line.substring(space + 1));
        }
    }

    public String text() {
        return text;
    }

    public Map<String, String> samples() {
        return samples;
    }

    /** @return the samples whose key starts with the metric name followed by '{' or ' ' */
    public Map<String, String> metric(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        samples.forEach((k, v) -> {
            if (k.equals(name) || k.startsWith(name + "{")) {
                out.put(k, v);
            }
        });
        return out;
    }

    public Double value(String key) {
        String v = samples.get(key);
        return v == null ? null : Double.valueOf(v);
    }

    @Override
    public String toString() {
        return text;
    }
}
