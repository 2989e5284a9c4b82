package dev.odin.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Mutations of captured requests, driven by one seed so that jqwik can report a failing case as
 * a seed that reproduces it. Byte-level mutations test the decoders (protobuf wire format, JSON
 * syntax, gzip); structural JSON mutations keep the syntax valid and test what comes after.
 */
final class Mutations {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] ODD_STRINGS = {"", " ", "\u0000", "NaN", "-Infinity", "1e400", "-1",
        "18446744073709551616", "\uD800", "ünïcödé ✓", "a\nb\"c\\d", "x".repeat(5000), "{}", "[]", "AAAA====",
        "0x1F", "9999999999999999999999", "true", "null", "le", "__name__", "job", "1.5"};

    private Mutations() {
    }

    /** 1 to 8 byte-level mutations: bit flips, byte sets, inserts, deletes, truncation, duplication, splices. */
    static byte[] bytes(byte[] base, byte[] other, Random r) {
        byte[] b = base.clone();
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            int len = b.length;
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (len > 0) {
                        int p = r.nextInt(len);
                        b[p] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (len > 0) {
                        b[r.nextInt(len)] = (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256));
                    }
                }
                case 2 -> b = insert(b, r.nextInt(len + 1), randomBytes(r, 1 + r.nextInt(16)));
                case 3 -> {
                    if (len > 1) {
                        int from = r.nextInt(len);
                        int to = Math.min(len, from + 1 + r.nextInt(Math.max(1, len / 8)));
                        b = delete(b, from, to);
                    }
                }
                case 4 -> b = java.util.Arrays.copyOf(b, len == 0 ? 0 : r.nextInt(len));
                case 5 -> {
                    if (len > 1) {
                        int from = r.nextInt(len);
                        int to = Math.min(len, from + 1 + r.nextInt(64));
                        b = insert(b, r.nextInt(len), java.util.Arrays.copyOfRange(b, from, to));
                    }
                }
                case 6 -> {
                    if (other.length > 0 && len > 0) {
                        int cut = r.nextInt(len);
                        int otherCut = r.nextInt(other.length);
                        byte[] spliced = new byte[cut + other.length - otherCut];
                        System.arraycopy(b, 0, spliced, 0, cut);
                        System.arraycopy(other, otherCut, spliced, cut, other.length - otherCut);
                        b = spliced;
                    }
                }
                default -> {
                    // a large varint where a length might be: the classic protobuf trap
                    if (len > 0) {
                        b = insert(b, r.nextInt(len), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
                    }
                }
            }
        }
        return b;
    }

    /** 1 to 6 structural mutations of a JSON document; the result is valid JSON. */
    static byte[] json(byte[] base, Random r) throws IOException {
        JsonNode root = JSON.readTree(base);
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode target = containers.get(r.nextInt(containers.size()));
            if (target instanceof ObjectNode o && o.size() > 0) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                String name = names.get(r.nextInt(names.size()));
                switch (r.nextInt(4)) {
                    case 0 -> o.remove(name);
                    case 1 -> o.set(name, randomValue(r, 0));
                    case 2 -> o.set(ODD_STRINGS[r.nextInt(ODD_STRINGS.length)], randomValue(r, 0));
                    default -> o.set(name, o.get(name).deepCopy());
                }
            } else if (target instanceof ArrayNode a && a.size() > 0) {
                int idx = r.nextInt(a.size());
                switch (r.nextInt(4)) {
                    case 0 -> a.remove(idx);
                    case 1 -> a.set(idx, randomValue(r, 0));
                    case 2 -> {
                        JsonNode copy = a.get(idx).deepCopy();
                        for (int k = 0, m = 1 + r.nextInt(20); k < m; k++) {
                            a.add(copy.deepCopy());
                        }
                    }
                    default -> a.insert(idx, randomValue(r, 0));
                }
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    private static JsonNode randomValue(Random r, int depth) {
        switch (r.nextInt(depth > 3 ? 7 : 9)) {
            case 0: return NODES.textNode(ODD_STRINGS[r.nextInt(ODD_STRINGS.length)]);
            case 1: return NODES.numberNode(r.nextLong());
            case 2: return NODES.numberNode(r.nextBoolean() ? Double.MAX_VALUE : -r.nextDouble() * 1e300);
            case 3: return NODES.booleanNode(r.nextBoolean());
            case 4: return NODES.nullNode();
            case 5: return NODES.numberNode(r.nextInt(5) - 2);
            case 6: return NODES.textNode(Long.toString(r.nextLong()));
            case 7: {
                ArrayNode a = NODES.arrayNode();
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    a.add(randomValue(r, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<String, String> e : Map.of("stringValue", "v", "intValue", "7", "key", "k",
                        "value", "x").entrySet()) {
                    if (r.nextBoolean()) {
                        o.set(e.getKey(), r.nextBoolean() ? NODES.textNode(e.getValue()) : randomValue(r, depth + 1));
                    }
                }
                return o;
            }
        }
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    private static byte[] delete(byte[] b, int from, int to) {
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }
}
