package dev.odin.series;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;

/** An immutable, sorted set of label pairs: the identity of a series within its metric. */
public final class LabelSet {

    public static final LabelSet EMPTY = new LabelSet(new String[0], new String[0]);

    private final String[] names;
    private final String[] values;
    private final int hash;

    /** Equal arrays, so the same hash: not computed again. */
    private LabelSet(String[] names, String[] values, int hash) {
        this.names = names;
        this.values = values;
        this.hash = hash;
    }

    /** Arrays must already be sorted by name, names unique; they are not copied. */
    LabelSet(String[] names, String[] values) {
        this.names = names;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    /**
     * The same label set with its values replaced by canonical instances: a new series keeps its
     * labels for its whole life, and most values (job, scope, model, user) repeat across series.
     */
    LabelSet canonical(java.util.Map<String, String> interner, int maxEntries) {
        return canonical(null, interner, maxEntries);
    }

    /**
     * Also shares the names array: the series of one metric mostly carry the same label names, so
     * one array serves them all (bounded like the values, cleared when full).
     */
    LabelSet canonical(java.util.Map<java.util.List<String>, String[]> nameSets, java.util.Map<String, String> interner,
            int maxEntries) {
        String[] canonNames = names;
        if (nameSets != null && names.length > 0) {
            java.util.List<String> key = Arrays.asList(names);
            String[] shared = nameSets.get(key);
            if (shared == null) {
                if (nameSets.size() >= maxEntries) {
                    nameSets.clear();
                }
                shared = nameSets.putIfAbsent(key, names);
                if (shared == null) {
                    shared = names;
                }
            }
            canonNames = shared;
        }
        String[] canon = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            String v = values[i];
            String c = interner.get(v);
            if (c == null) {
                if (interner.size() >= maxEntries) {
                    interner.clear();
                }
                c = interner.putIfAbsent(v, v);
                if (c == null) {
                    c = v;
                }
            }
            canon[i] = c;
        }
        return new LabelSet(canonNames, canon, hash);
    }

    /**
     * A label set from name/value pairs in any order; pairs with an empty value are left out, as
     * Prometheus treats an empty label as an absent one. For code that knows its labels (probes).
     */
    public static LabelSet of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("label names and values must come in pairs");
        }
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String v = namesAndValues[i + 1];
            if (v != null && !v.isEmpty()) {
                sorted.put(namesAndValues[i], v);
            }
        }
        return new LabelSet(sorted.keySet().toArray(new String[0]), sorted.values().toArray(new String[0]));
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** @return the value of the label, or null */
    public String get(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? values[i] : null;
    }

    /** Bytes this label set roughly holds, for memory accounting. */
    long approximateBytes() {
        long bytes = 48;
        for (int i = 0; i < names.length; i++) {
            bytes += 16 + names[i].length() + values[i].length();
        }
        return bytes;
    }

    Labels toPrometheus() {
        return Labels.of(names, values);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LabelSet)) {
            return false;
        }
        LabelSet other = (LabelSet) o;
        return hash == other.hash && Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append("=\"").append(values[i]).append('"');
        }
        return sb.append('}').toString();
    }
}
