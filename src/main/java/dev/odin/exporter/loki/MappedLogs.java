package dev.odin.exporter.loki;

import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/** One OTLP logs request mapped to Loki streams, entries in arrival order within each stream. */
public final class MappedLogs {

    /** A stream: its labels (sorted), their LogQL selector form, and its entries. */
    public record Stream(SortedMap<String, String> labels, String selector, List<EntryAdapter> entries) {
    }

    private final List<Stream> streams;
    private final int records;

    MappedLogs(List<Stream> streams, int records) {
        this.streams = streams;
        this.records = records;
    }

    public List<Stream> streams() {
        return streams;
    }

    public int records() {
        return records;
    }

    public PushRequest toPushRequest() {
        PushRequest.Builder b = PushRequest.newBuilder();
        for (Stream s : streams) {
            b.addStreams(StreamAdapter.newBuilder().setLabels(s.selector()).addAllEntries(s.entries()));
        }
        return b.build();
    }

    /** {a="1", b="2"} with Prometheus string escaping. */
    static String selector(SortedMap<String, String> labels) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : labels.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append("=\"");
            appendEscaped(sb, e.getValue());
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** Backslash-escapes backslashes, double quotes and newlines, as LogQL and logfmt read them. */
    public static void appendEscaped(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' || c == '"') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
    }

    /** The inverse of {@link #selector}: {a="1", b="2"} back to a sorted map. */
    public static SortedMap<String, String> parseSelector(String selector) {
        SortedMap<String, String> out = new java.util.TreeMap<>();
        int i = selector.indexOf('{') + 1;
        while (i > 0 && i < selector.length()) {
            while (i < selector.length() && (selector.charAt(i) == ' ' || selector.charAt(i) == ',')) {
                i++;
            }
            int eq = selector.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = selector.substring(i, eq).trim();
            StringBuilder v = new StringBuilder();
            int j = eq + 2; // after ="
            while (j < selector.length() && selector.charAt(j) != '"') {
                char c = selector.charAt(j);
                if (c == '\\' && j + 1 < selector.length()) {
                    char n = selector.charAt(++j);
                    v.append(n == 'n' ? '\n' : n);
                } else {
                    v.append(c);
                }
                j++;
            }
            out.put(name, v.toString());
            i = j + 1;
        }
        return out;
    }
}
