package dev.odin.receiver.otlp;

import dev.odin.signal.OtlpRequestException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OTLP/JSON decoding straight from the body's bytes into the protobuf builders: Jackson's streaming
 * parser reads one token at a time and the message's {@link Descriptor} says what each field is, so
 * no JSON tree, no intermediate string and no second parser exist (the tree round trip through
 * JsonFormat cost about 45 times the body; docs/benchmarks.md). Generic over the message type:
 * metrics, logs and traces requests all go through {@link #merge}.
 *
 * <p>The rules are those of the OTLP/JSON encoding
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), which are the protobuf JSON
 * mapping as JsonFormat reads it with unknown fields ignored, except for trace and span ids:
 * <ul>
 * <li>field names in lowerCamelCase (the json_name) or as in the .proto (snake_case);
 * <li>{@code traceId}, {@code spanId}, {@code parentSpanId} (spans, span links, log records,
 *     exemplars) as hex strings, case-insensitive; every other bytes field in base64 (standard or
 *     URL alphabet, padding optional);
 * <li>enums as integers (unknown numbers kept, proto3 enums are open) or by value name (unknown
 *     names ignored, like an unknown field);
 * <li>64-bit integers as strings or numbers; integers may be written with a zero fraction or an
 *     exponent ({@code 1.0}, {@code 1e3}) as long as the value is integral and in range;
 * <li>doubles as numbers or strings, including {@code "NaN"}, {@code "Infinity"},
 *     {@code "-Infinity"};
 * <li>unknown fields ignored; {@code null} for any field (or array element) is the same as absent;
 * <li>a field given twice (also under its two names), or two members of one oneof (AnyValue), is
 *     refused, as JsonFormat does.
 * </ul>
 * Beyond JsonFormat: the body is exactly one JSON object (data after it is refused), and nesting
 * depth, number and string lengths are bounded by Jackson's {@link StreamReadConstraints}
 * ({@link Limits}). A body that breaks a rule is an {@link OtlpRequestException} (400) whose
 * message names the field and the position, never more than a short piece of the body.
 */
public final class OtlpJson {

    /** The outcome tag (odin_otlp_requests_total) of a request refused by a {@link Limits} bound. */
    public static final String LIMIT_OUTCOME = "json_limit";

    /**
     * Bounds on the JSON document itself. The body's size is bounded before it is parsed
     * (odin.otlp.max-request-size and max-decompressed-size).
     *
     * @param maxNestingDepth objects and arrays inside one another
     * @param maxNumberLength characters of one number
     * @param maxStringLength characters of one string value
     */
    public record Limits(int maxNestingDepth, int maxNumberLength, int maxStringLength) {
        public static final Limits DEFAULTS = new Limits(128, 100, 8 * 1024 * 1024);

        public Limits {
            if (maxNestingDepth < 8 || maxNumberLength < 20 || maxStringLength < 1024) {
                throw new IllegalArgumentException("OTLP/JSON limits too small to read any request: depth "
                        + maxNestingDepth + " (at least 8), number length " + maxNumberLength + " (at least 20), "
                        + "string length " + maxStringLength + " (at least 1024)");
            }
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final Map<Descriptor, Fields> FIELDS = new ConcurrentHashMap<>();
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE).multiply(new BigDecimal("1.000001"));
    private static final double MAX_FLOAT = Float.MAX_VALUE * (1.0 + 1e-6);
    private static final HexFormat HEX = HexFormat.of();

    private final JsonFactory factory;
    private final Limits limits;

    public OtlpJson(Limits limits) {
        this.limits = limits;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxNumberLength(limits.maxNumberLength())
                        .maxStringLength(limits.maxStringLength())
                        .build())
                .build();
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Reads one OTLP/JSON request into the builder. An empty body (or white space only) is an empty
     * request.
     *
     * @throws OtlpRequestException (400) when the body is not one OTLP/JSON object of the builder's type
     */
    public void merge(byte[] json, Message.Builder into) {
        try (JsonParser p = factory.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return;
            }
            if (first != JsonToken.START_OBJECT) {
                throw OtlpRequestException.badRequest("body is JSON but not an object");
            }
            readObject(p, into, new Strings());
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonProcessingException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw OtlpRequestException.badRequest("body has data after the JSON object" + at(p)
                        + ": an OTLP/JSON body is exactly one object");
            }
        } catch (StreamConstraintsException e) {
            throw new OtlpRequestException(400, io.grpc.Status.Code.INVALID_ARGUMENT,
                    "body exceeds a limit of OTLP/JSON (odin.otlp.json.*): " + constraint(e), LIMIT_OUTCOME);
        } catch (JsonProcessingException e) {
            throw OtlpRequestException.badRequest("body is not valid JSON: " + e.getOriginalMessage()
                    + at(e.getLocation()));
        } catch (IOException e) {
            throw OtlpRequestException.badRequest("body is not readable JSON: " + e.getMessage());
        }
    }

    /**
     * A message (a response: Export*ServiceResponse with its partial_success, google.rpc.Status)
     * in the proto3 JSON mapping, as JsonFormat prints it but in plain JSON escapes (JsonFormat
     * escapes quotes and angle brackets the HTML way, {@code \u0027}). Written straight with
     * Jackson's generator, no JSON tree; a message with fields that mapping prints in a special way
     * (floating point, bytes, maps, the google.protobuf types) goes the longer way, JsonFormat
     * re-written through a Jackson tree ({@link #printThroughTree}).
     */
    public static byte[] print(Message message) {
        if (!plainlyPrintable(message.getDescriptorForType(), 0)) {
            return printThroughTree(message);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64);
        try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            write(g, message);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** JsonFormat's output re-written by Jackson: the same JSON as {@link #print}, by way of a tree. */
    static byte[] printThroughTree(Message message) {
        try {
            return MAPPER.writeValueAsBytes(MAPPER.readTree(PRINTER.print(message)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Map<Descriptor, Boolean> PLAIN = new ConcurrentHashMap<>();

    /** Whether every field, nested ones too, is a message, string, bool, enum or integer (no map). */
    private static boolean plainlyPrintable(Descriptor d, int depth) {
        Boolean known = PLAIN.get(d);
        if (known != null) {
            return known;
        }
        boolean plain = depth < 16 && !d.getFile().getPackage().equals("google.protobuf");
        for (int i = 0; plain && i < d.getFields().size(); i++) {
            FieldDescriptor f = d.getFields().get(i);
            switch (f.getJavaType()) {
                case FLOAT, DOUBLE, BYTE_STRING -> plain = false;
                case MESSAGE -> plain = !f.isMapField() && plainlyPrintable(f.getMessageType(), depth + 1);
                default -> { }
            }
        }
        if (depth == 0) {
            PLAIN.put(d, plain);
        }
        return plain;
    }

    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Message message) throws IOException {
        g.writeStartObject();
        // the fields set, by number: what JsonFormat prints (without default values), in its order
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            g.writeFieldName(f.getJsonName());
            if (f.isRepeated()) {
                g.writeStartArray();
                for (Object v : (java.util.List<?>) e.getValue()) {
                    writeValue(g, f, v);
                }
                g.writeEndArray();
            } else {
                writeValue(g, f, e.getValue());
            }
        }
        g.writeEndObject();
    }

    private static void writeValue(com.fasterxml.jackson.core.JsonGenerator g, FieldDescriptor f, Object v)
            throws IOException {
        switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) v);
            case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) v));
            case INT64, SINT64, SFIXED64 -> g.writeString(Long.toString((Long) v));
            case UINT64, FIXED64 -> g.writeString(Long.toUnsignedString((Long) v));
            case BOOL -> g.writeBoolean((Boolean) v);
            case STRING -> g.writeString((String) v);
            case ENUM -> {
                EnumValueDescriptor ev = (EnumValueDescriptor) v;
                if (ev.getIndex() == -1) {
                    g.writeNumber(ev.getNumber()); // a number this version does not know: as JsonFormat
                } else {
                    g.writeString(ev.getName());
                }
            }
            case MESSAGE, GROUP -> write(g, (Message) v);
            default -> throw new IllegalStateException("not plainly printable: " + f.getFullName());
        }
    }

    // --- the decoder -----------------------------------------------------------------------------

    /** Reads the members of the object whose START_OBJECT is the current token. */
    private static void readObject(JsonParser p, Message.Builder builder, Strings strings) throws IOException {
        Fields fields = fieldsOf(builder.getDescriptorForType());
        long seen = 0;
        boolean[] seenWide = fields.count > 64 ? new boolean[fields.count] : null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            Field f = fields.byName.get(p.currentName());
            JsonToken v = p.nextToken();
            if (f == null) {
                p.skipChildren(); // unknown field: ignored, whatever it holds
                continue;
            }
            boolean again;
            if (seenWide == null) {
                again = (seen & (1L << f.index)) != 0;
                seen |= 1L << f.index;
            } else {
                again = seenWide[f.index];
                seenWide[f.index] = true;
            }
            if (again) {
                throw bad(p, f, "is given more than once");
            }
            if (v == JsonToken.VALUE_NULL) {
                continue; // null is absent
            }
            FieldDescriptor fd = f.descriptor;
            if (f.oneof != null && builder.hasOneof(f.oneof)) {
                throw bad(p, f, "cannot be set: another field of its oneof '" + f.oneof.getName()
                        + "' (" + builder.getOneofFieldDescriptor(f.oneof).getJsonName() + ") is set already");
            }
            if (fd.isRepeated()) {
                if (v != JsonToken.START_ARRAY) {
                    throw bad(p, f, "expects an array, not " + describe(v));
                }
                while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (v == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    Object value = value(p, v, f, builder, strings);
                    if (value != null) {
                        builder.addRepeatedField(fd, value);
                    }
                }
            } else {
                Object value = value(p, v, f, builder, strings);
                if (value != null) {
                    builder.setField(fd, value);
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw OtlpRequestException.badRequest("body is not valid JSON" + at(p));
        }
    }

    /** The value of the current token for the field; null for an enum name this schema does not know. */
    private static Object value(JsonParser p, JsonToken v, Field f, Message.Builder parent, Strings strings)
            throws IOException {
        FieldDescriptor fd = f.descriptor;
        switch (fd.getJavaType()) {
            case MESSAGE: {
                if (v != JsonToken.START_OBJECT) {
                    throw bad(p, f, "expects an object, not " + describe(v));
                }
                Message.Builder sub = parent.newBuilderForField(fd);
                readObject(p, sub, strings);
                return sub.build();
            }
            case STRING:
                if (!v.isScalarValue()) {
                    throw bad(p, f, "expects a string, not " + describe(v));
                }
                return v == JsonToken.VALUE_STRING ? strings.of(p) : p.getText();
            case BOOLEAN:
                if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    return v == JsonToken.VALUE_TRUE;
                }
                if (v == JsonToken.VALUE_STRING && ("true".equals(p.getText()) || "false".equals(p.getText()))) {
                    return Boolean.valueOf(p.getText());
                }
                throw bad(p, f, "expects true or false, not " + describe(v));
            case INT:
                return isUnsigned32(fd) ? (int) integer(p, v, f, 0, 0xFFFF_FFFFL)
                        : (int) integer(p, v, f, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case LONG:
                return isUnsigned64(fd) ? unsigned64(p, v, f) : integer(p, v, f, Long.MIN_VALUE, Long.MAX_VALUE);
            case DOUBLE:
                return floating(p, v, f);
            case FLOAT: {
                double d = floating(p, v, f);
                if (Double.isFinite(d) && Math.abs(d) > MAX_FLOAT) {
                    throw bad(p, f, "is out of the range of a float");
                }
                return (float) d;
            }
            case BYTE_STRING:
                return bytes(p, v, f);
            case ENUM:
                return enumValue(p, v, f);
            default:
                throw new IllegalStateException("no JSON mapping for " + fd.getJavaType());
        }
    }

    private static boolean isUnsigned32(FieldDescriptor fd) {
        return fd.getType() == FieldDescriptor.Type.UINT32 || fd.getType() == FieldDescriptor.Type.FIXED32;
    }

    private static boolean isUnsigned64(FieldDescriptor fd) {
        return fd.getType() == FieldDescriptor.Type.UINT64 || fd.getType() == FieldDescriptor.Type.FIXED64;
    }

    /** A signed integer in [min, max] from a number or a string. */
    private static long integer(JsonParser p, JsonToken v, Field f, long min, long max) throws IOException {
        long n;
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            n = p.getLongValue();
        } else if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            n = plainDigits(p);
            if (n < 0) {
                BigInteger big = exactInteger(p, f);
                if (big.bitLength() > 63) {
                    throw bad(p, f, "is out of range: " + abbreviate(p.getText()));
                }
                n = big.longValue();
            }
        } else {
            throw bad(p, f, "expects an integer, not " + describe(v));
        }
        if (n < min || n > max) {
            throw bad(p, f, "is out of range: " + n);
        }
        return n;
    }

    /** An unsigned 64-bit integer (as the long with the same bits) from a number or a string. */
    private static long unsigned64(JsonParser p, JsonToken v, Field f) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long n = p.getLongValue();
            if (n < 0) {
                throw bad(p, f, "is out of range: " + n);
            }
            return n;
        }
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad(p, f, "expects an integer, not " + describe(v));
        }
        long n = plainDigits(p);
        if (n >= 0) {
            return n;
        }
        BigInteger big = exactInteger(p, f);
        if (big.signum() < 0 || big.compareTo(MAX_UINT64) > 0) {
            throw bad(p, f, "is out of range: " + abbreviate(p.getText()));
        }
        return big.longValue();
    }

    /**
     * The common case without allocating: the token's text is 1 to 18 decimal digits (timestamps,
     * counts). -1 for anything else, which the exact path then reads.
     */
    private static long plainDigits(JsonParser p) throws IOException {
        int len = p.getTextLength();
        if (len < 1 || len > 18) {
            return -1;
        }
        char[] buf = p.getTextCharacters();
        int off = p.getTextOffset();
        long n = 0;
        for (int i = off, end = off + len; i < end; i++) {
            char c = buf[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static BigInteger exactInteger(JsonParser p, Field f) throws IOException {
        String text = p.getText();
        try {
            return new BigDecimal(text).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(p, f, "expects an integer, not '" + abbreviate(text) + "'");
        }
    }

    private static double floating(JsonParser p, JsonToken v, Field f) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (Double.isInfinite(d)) {
                throw bad(p, f, "is out of the range of a double: " + abbreviate(p.getText()));
            }
            return d;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw bad(p, f, "expects a number, not " + describe(v));
        }
        String s = p.getText();
        switch (s) {
            case "NaN": return Double.NaN;
            case "Infinity": return Double.POSITIVE_INFINITY;
            case "-Infinity": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    // BigDecimal for the syntax and the range (Double.parseDouble would take "1d" or
                    // "0x1p3"); the value from parseDouble, which keeps the sign of "-0.0"
                    if (new BigDecimal(s).abs().compareTo(MAX_DOUBLE) > 0) {
                        throw bad(p, f, "is out of the range of a double: " + abbreviate(s));
                    }
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw bad(p, f, "expects a number, not '" + abbreviate(s) + "'");
                }
        }
    }

    private static ByteString bytes(JsonParser p, JsonToken v, Field f) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw bad(p, f, "expects a " + (f.hexId ? "hex" : "base64") + " string, not " + describe(v));
        }
        String s = p.getText();
        if (f.hexId) {
            try {
                return UnsafeByteOperations.unsafeWrap(HEX.parseHex(s));
            } catch (IllegalArgumentException e) {
                throw bad(p, f, "'" + abbreviate(s) + "' is not a hex string");
            }
        }
        try {
            return UnsafeByteOperations.unsafeWrap(Base64.getDecoder().decode(s));
        } catch (IllegalArgumentException e) {
            try {
                return UnsafeByteOperations.unsafeWrap(Base64.getUrlDecoder().decode(s));
            } catch (IllegalArgumentException e2) {
                throw bad(p, f, "'" + abbreviate(s) + "' is not base64");
            }
        }
    }

    private static EnumValueDescriptor enumValue(JsonParser p, JsonToken v, Field f) throws IOException {
        EnumDescriptor type = f.descriptor.getEnumType();
        int number;
        if (v == JsonToken.VALUE_STRING) {
            EnumValueDescriptor named = type.findValueByName(p.getText());
            if (named != null) {
                return named;
            }
            long n = plainDigits(p);
            if (n < 0 || n > Integer.MAX_VALUE) {
                String s = p.getText();
                try {
                    number = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    return null; // a name this schema does not know: ignored like an unknown field
                }
            } else {
                number = (int) n;
            }
        } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            number = (int) integer(p, v, f, Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else {
            throw bad(p, f, "expects an enum number or name, not " + describe(v));
        }
        EnumValueDescriptor known = type.findValueByNumber(number);
        if (known != null) {
            return known;
        }
        return type.isClosed() ? null : type.findValueByNumberCreatingIfUnknown(number);
    }

    /**
     * Short strings seen in this body (attribute keys, model names, metric names repeat on every
     * data point), so that a repeat costs neither an allocation nor, in the decoded request, a
     * copy of its own. A fixed table: a collision replaces the entry.
     */
    private static final class Strings {
        private static final int MAX_LENGTH = 64;
        private final String[] table = new String[1024];

        String of(JsonParser p) throws IOException {
            int len = p.getTextLength();
            if (len > MAX_LENGTH) {
                return p.getText();
            }
            char[] buf = p.getTextCharacters();
            int off = p.getTextOffset();
            int h = len;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + buf[i];
            }
            int slot = (h ^ (h >>> 16)) & (table.length - 1);
            String s = table[slot];
            if (s != null && s.length() == len) {
                int i = 0;
                while (i < len && s.charAt(i) == buf[off + i]) {
                    i++;
                }
                if (i == len) {
                    return s;
                }
            }
            s = new String(buf, off, len);
            table[slot] = s;
            return s;
        }
    }

    // --- field tables ----------------------------------------------------------------------------

    private static Fields fieldsOf(Descriptor d) {
        Fields f = FIELDS.get(d);
        return f != null ? f : FIELDS.computeIfAbsent(d, Fields::new);
    }

    /** A message type's fields by both their JSON names. */
    private static final class Fields {
        final Map<String, Field> byName = new HashMap<>();
        final int count;

        Fields(Descriptor d) {
            count = d.getFields().size();
            for (FieldDescriptor fd : d.getFields()) {
                if (fd.isMapField() || fd.isExtension()) {
                    throw new IllegalStateException("OtlpJson does not read map fields: " + fd.getFullName());
                }
                Field f = new Field(fd);
                byName.put(fd.getJsonName(), f);
                byName.put(fd.getName(), f);
            }
        }
    }

    private static final class Field {
        final FieldDescriptor descriptor;
        final int index;
        final OneofDescriptor oneof;
        /** OTLP/JSON writes trace and span ids as hex, not base64. */
        final boolean hexId;

        Field(FieldDescriptor fd) {
            descriptor = fd;
            index = fd.getIndex();
            oneof = fd.getRealContainingOneof();
            hexId = fd.getType() == FieldDescriptor.Type.BYTES && (fd.getName().equals("trace_id")
                    || fd.getName().equals("span_id") || fd.getName().equals("parent_span_id"));
        }
    }

    // --- messages --------------------------------------------------------------------------------

    private static OtlpRequestException bad(JsonParser p, Field f, String what) {
        return OtlpRequestException.badRequest("field '" + f.descriptor.getJsonName() + "' of "
                + f.descriptor.getContainingType().getName() + " " + what + at(p));
    }

    private static String at(JsonParser p) {
        return at(p.currentTokenLocation());
    }

    private static String at(JsonLocation l) {
        return l == null || l.getLineNr() < 0 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the body";
        }
        switch (t) {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "an array";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            default: return t.asString() == null ? t.name() : t.asString();
        }
    }

    /** Jackson's message without its pointer into Jackson's own API. */
    private static String constraint(StreamConstraintsException e) {
        return e.getOriginalMessage().replaceAll(", from `[^`]*`", "");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
