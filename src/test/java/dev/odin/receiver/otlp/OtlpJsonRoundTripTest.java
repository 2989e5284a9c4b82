package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

/**
 * Random OTLP requests of the three signals (every field of every message type, odd strings,
 * extreme numbers, unknown enum numbers, nested AnyValues), printed as OTLP/JSON the way senders
 * may write it (JsonFormat with hex ids; camelCase or snake_case names; enums as numbers or names;
 * 64-bit integers as strings or numbers; unknown fields and nulls added), decode to the original
 * with the streaming decoder and with the tree path it replaced.
 */
class OtlpJsonRoundTripTest {

    private static final OtlpJson JSON = new OtlpJson(OtlpJson.Limits.DEFAULTS);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] STRINGS = {"", "a", "service.name", "é", "中文", "😀", "\u0000", "\u001f", "\"", "\\",
        "\u2028", "</script>", "'", "x y"};
    private static final double[] DOUBLES = {0.0, -0.0, 1.5, -2.25, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 0.1, 1e21, 123456789.125};
    private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1_796_143_266_022_000_000L,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, 4294967295L, Integer.MIN_VALUE};

    enum Kind { METRICS, LOGS, TRACES }

    @Property(tries = 250)
    void randomRequestsDecodeToThemselves(@ForAll Kind kind, @ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int depth)
            throws Exception {
        Random r = new Random(seed);
        Message.Builder b = builder(kind);
        fill(b, r, depth);
        Message original = b.build();
        byte[] json = otlpJson(original, r);

        Message.Builder streamed = builder(kind);
        JSON.merge(json, streamed);
        assertThat(streamed.build()).as(new String(json, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(original);

        // the tree path too, except where JsonFormat loses the sign of -0.0 (it reads doubles through
        // BigDecimal); the streaming decoder keeps it
        boolean negativeZero = new String(json, java.nio.charset.StandardCharsets.UTF_8).contains("-0.0");
        Statistics.collect(negativeZero ? "tree path not compared (-0.0)" : "tree path compared");
        if (!negativeZero) {
            Message.Builder tree = builder(kind);
            TreeOtlpJson.merge(json, tree);
            assertThat(tree.build()).isEqualTo(original);
        }
    }

    private static Message.Builder builder(Kind kind) {
        switch (kind) {
            case METRICS: return ExportMetricsServiceRequest.newBuilder();
            case LOGS: return ExportLogsServiceRequest.newBuilder();
            default: return ExportTraceServiceRequest.newBuilder();
        }
    }

    // --- random messages --------------------------------------------------------------------------

    private static void fill(Message.Builder b, Random r, int depth) {
        Descriptor d = b.getDescriptorForType();
        List<OneofDescriptor> oneofsDone = new ArrayList<>();
        for (FieldDescriptor fd : d.getFields()) {
            OneofDescriptor oneof = fd.getRealContainingOneof();
            if (oneof != null) {
                if (oneofsDone.contains(oneof)) {
                    continue;
                }
                oneofsDone.add(oneof);
                int pick = r.nextInt(oneof.getFieldCount() + 1);
                if (pick == oneof.getFieldCount()) {
                    continue;
                }
                fd = oneof.getField(pick);
            } else if (r.nextInt(3) == 0) {
                continue;
            }
            if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth <= 0) {
                continue;
            }
            if (fd.isRepeated()) {
                int n = r.nextInt(depth <= 1 ? 2 : 4);
                for (int i = 0; i < n; i++) {
                    b.addRepeatedField(fd, randomValue(b, fd, r, depth));
                }
            } else {
                b.setField(fd, randomValue(b, fd, r, depth));
            }
        }
    }

    private static Object randomValue(Message.Builder parent, FieldDescriptor fd, Random r, int depth) {
        switch (fd.getJavaType()) {
            case MESSAGE: {
                Message.Builder sub = parent.newBuilderForField(fd);
                fill(sub, r, depth - 1);
                return sub.build();
            }
            case STRING: {
                StringBuilder s = new StringBuilder();
                for (int i = r.nextInt(4); i > 0; i--) {
                    s.append(STRINGS[r.nextInt(STRINGS.length)]);
                }
                return s.toString();
            }
            case BOOLEAN: return r.nextBoolean();
            case INT: return r.nextBoolean() ? r.nextInt() : (int) LONGS[r.nextInt(LONGS.length)];
            case LONG: return r.nextBoolean() ? r.nextLong() : LONGS[r.nextInt(LONGS.length)];
            case DOUBLE: return r.nextBoolean() ? r.nextDouble() * Math.pow(10, r.nextInt(40) - 20)
                    : DOUBLES[r.nextInt(DOUBLES.length)];
            case FLOAT: return r.nextFloat();
            case BYTE_STRING: {
                byte[] bytes = new byte[r.nextBoolean() ? (fd.getName().equals("trace_id") ? 16 : 8) : r.nextInt(20)];
                r.nextBytes(bytes);
                return ByteString.copyFrom(bytes);
            }
            case ENUM: {
                EnumDescriptor e = fd.getEnumType();
                return r.nextInt(5) == 0 ? e.findValueByNumberCreatingIfUnknown(100 + r.nextInt(1000))
                        : e.getValues().get(r.nextInt(e.getValues().size()));
            }
            default:
                throw new IllegalStateException(fd.getJavaType().toString());
        }
    }

    // --- OTLP/JSON as senders write it -----------------------------------------------------------

    private static byte[] otlpJson(Message m, Random r) throws Exception {
        JsonFormat.Printer printer = JsonFormat.printer();
        if (r.nextBoolean()) {
            printer = printer.printingEnumsAsInts();
        }
        if (r.nextInt(4) == 0) {
            printer = printer.preservingProtoFieldNames();
        }
        JsonNode tree = MAPPER.readTree(printer.print(m));
        rewrite((ObjectNode) tree, m.getDescriptorForType(), r);
        return r.nextBoolean() ? MAPPER.writeValueAsBytes(tree) : MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
    }

    /** Ids to hex, some 64-bit integers to numbers, some doubles to strings, unknown fields and nulls added. */
    private static void rewrite(ObjectNode node, Descriptor d, Random r) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            FieldDescriptor fd = d.findFieldByName(name);
            if (fd == null) {
                fd = d.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElseThrow();
            }
            JsonNode v = node.get(name);
            if (fd.isRepeated()) {
                ArrayNode a = (ArrayNode) v;
                for (int i = 0; i < a.size(); i++) {
                    a.set(i, rewriteValue(a.get(i), fd, r));
                }
            } else {
                node.set(name, rewriteValue(v, fd, r));
            }
        }
        if (r.nextInt(4) == 0) {
            node.putObject("unknownField" + r.nextInt(3)).putArray("nested").add(1).addObject().put("traceId", "0a0b"); // ignored, like all of it
        }
        if (r.nextInt(4) == 0) {
            for (FieldDescriptor fd : d.getFields()) {
                if (!node.has(fd.getJsonName()) && !node.has(fd.getName()) && fd.getRealContainingOneof() == null) {
                    node.set(fd.getJsonName(), NullNode.getInstance()); // null is absent
                    break;
                }
            }
        }
    }

    private static JsonNode rewriteValue(JsonNode v, FieldDescriptor fd, Random r) {
        switch (fd.getJavaType()) {
            case MESSAGE:
                rewrite((ObjectNode) v, fd.getMessageType(), r);
                return v;
            case BYTE_STRING:
                if (fd.getName().endsWith("span_id") || fd.getName().equals("trace_id")) {
                    String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(v.asText()));
                    return new TextNode(r.nextBoolean() ? hex : hex.toUpperCase());
                }
                return v;
            case LONG:
                if (r.nextBoolean()) {
                    return new BigIntegerNode(new BigInteger(v.asText())); // as a JSON number
                }
                return v;
            case DOUBLE:
                if (v.isNumber() && r.nextInt(4) == 0) {
                    return new TextNode(v.asText()); // "1.5" as a string
                }
                return v;
            default:
                return v;
        }
    }
}
