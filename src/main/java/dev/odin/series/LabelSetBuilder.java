package dev.odin.series;

import java.util.Arrays;

/**
 * Collects label pairs for one series and produces a sorted {@link LabelSet}. Pairs carry a
 * precedence (a resource value beats a data-point attribute, job/instance beat everything) and
 * their original OTLP key: two keys of the same precedence that map to one label name are joined
 * with ';' in the order of their original keys, as the OpenTelemetry specification says.
 *
 * <p>Not thread-safe: one instance per translating thread, reset for every data point, so the hot
 * loop allocates only the final arrays.
 */
public final class LabelSetBuilder {

    public static final int ATTRIBUTE = 0;
    public static final int RESOURCE = 1;
    public static final int SCOPE = 2;
    public static final int IDENTITY = 3;

    private String[] names = new String[16];
    private String[] keys = new String[16];
    private String[] values = new String[16];
    private int[] precedence = new int[16];
    private Integer[] order = new Integer[16];
    private int size;

    public LabelSetBuilder reset() {
        size = 0;
        return this;
    }

    public int size() {
        return size;
    }

    /** Empty values are left out: Prometheus treats an empty label as an absent one. */
    public LabelSetBuilder add(String name, String originalKey, String value, int prec) {
        if (value == null || value.isEmpty()) {
            return this;
        }
        if (size == names.length) {
            int n = size * 2;
            names = Arrays.copyOf(names, n);
            keys = Arrays.copyOf(keys, n);
            values = Arrays.copyOf(values, n);
            precedence = Arrays.copyOf(precedence, n);
            order = Arrays.copyOf(order, n);
        }
        names[size] = name;
        keys[size] = originalKey;
        values[size] = value;
        precedence[size] = prec;
        size++;
        return this;
    }

    public LabelSet build() {
        if (size == 0) {
            return LabelSet.EMPTY;
        }
        // insertion sort: label sets are small, and this avoids comparator allocation
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = 1; i < size; i++) {
            Integer cur = order[i];
            int j = i - 1;
            while (j >= 0 && compare(order[j], cur) > 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = cur;
        }
        int distinct = 0;
        for (int i = 0; i < size; i++) {
            if (i == 0 || !names[order[i]].equals(names[order[i - 1]])) {
                distinct++;
            }
        }
        String[] outNames = new String[distinct];
        String[] outValues = new String[distinct];
        int o = -1;
        int groupPrec = -1;
        for (int i = 0; i < size; i++) {
            int idx = order[i];
            if (o < 0 || !names[idx].equals(outNames[o])) {
                o++;
                outNames[o] = names[idx];
                outValues[o] = values[idx];
                groupPrec = precedence[idx];
            } else if (precedence[idx] > groupPrec) {
                outValues[o] = values[idx];
                groupPrec = precedence[idx];
            } else if (precedence[idx] == groupPrec) {
                outValues[o] = outValues[o] + ';' + values[idx];
            }
        }
        return new LabelSet(outNames, outValues);
    }

    /** By label name, then precedence ascending, then original key. */
    private int compare(int a, int b) {
        int c = names[a].compareTo(names[b]);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(precedence[a], precedence[b]);
        if (c != 0) {
            return c;
        }
        return keys[a].compareTo(keys[b]);
    }
}
