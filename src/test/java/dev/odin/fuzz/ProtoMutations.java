package dev.odin.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Structural mutations of a valid OTLP message through protobuf reflection (test code only):
 * walk down a random path of set fields and change one field there to an edge value (NaN,
 * infinities, extreme integers, odd strings, unknown enum numbers), drop, duplicate or add a
 * repeated element. The result is always a well-formed message, so what it tests is everything
 * after the decoder: naming, label building, histogram arithmetic, the Loki mapping.
 */
final class ProtoMutations {

    private static final String[] STRINGS = {"", " ", "\u0000", "__name__", "le", "quantile", "job", "instance",
        "service.name", "a.b.c", "ünï✓", "9lives", "x".repeat(3000), "_", "__", "a\nb", "{}", "NaN", "user.email",
        "claude_code.cost.usage", "http.server.duration"};
    private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 1L << 53,
        1_795_358_400_000_000_000L};
    private static final double[] DOUBLES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
        Double.MAX_VALUE, Double.MIN_VALUE, -1, 1e-300, 0.1};

    private ProtoMutations() {
    }

    static <M extends Message> M mutate(M message, Random r) {
        Message.Builder b = message.toBuilder();
        for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
            mutateSomewhere(b, r, 0);
        }
        @SuppressWarnings("unchecked")
        M out = (M) b.build();
        return out;
    }

    private static void mutateSomewhere(Message.Builder b, Random r, int depth) {
        List<FieldDescriptor> set = new ArrayList<>();
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && (f.isRepeated() ? b.getRepeatedFieldCount(f) > 0 : b.hasField(f))) {
                set.add(f);
            }
        }
        if (!set.isEmpty() && depth < 12 && r.nextInt(10) < 8) {
            FieldDescriptor f = set.get(r.nextInt(set.size()));
            if (f.isRepeated()) {
                int i = r.nextInt(b.getRepeatedFieldCount(f));
                Message.Builder child = ((Message) b.getRepeatedField(f, i)).toBuilder();
                mutateSomewhere(child, r, depth + 1);
                b.setRepeatedField(f, i, child.build());
            } else {
                Message.Builder child = ((Message) b.getField(f)).toBuilder();
                mutateSomewhere(child, r, depth + 1);
                b.setField(f, child.build());
            }
            return;
        }
        mutateField(b, r);
    }

    private static void mutateField(Message.Builder b, Random r) {
        List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
        FieldDescriptor f = fields.get(r.nextInt(fields.size()));
        if (f.isRepeated()) {
            int n = b.getRepeatedFieldCount(f);
            int op = n == 0 ? 0 : r.nextInt(4);
            if (op == 0) {
                b.addRepeatedField(f, randomValue(f, b, r));
            } else if (op == 1) {
                List<Object> list = new ArrayList<>((List<?>) b.getField(f));
                list.remove(r.nextInt(n));
                b.setField(f, list);
            } else if (op == 2) {
                b.addRepeatedField(f, b.getRepeatedField(f, r.nextInt(n)));
            } else {
                b.setRepeatedField(f, r.nextInt(n), randomValue(f, b, r));
            }
        } else if (r.nextInt(8) == 0) {
            b.clearField(f);
        } else {
            b.setField(f, randomValue(f, b, r));
        }
    }

    private static Object randomValue(FieldDescriptor f, Message.Builder parent, Random r) {
        switch (f.getJavaType()) {
            case INT:
                return r.nextBoolean() ? (int) LONGS[r.nextInt(LONGS.length)] : r.nextInt(200) - 100;
            case LONG:
                return r.nextBoolean() ? LONGS[r.nextInt(LONGS.length)] : (long) r.nextInt(1000);
            case DOUBLE:
                return r.nextBoolean() ? DOUBLES[r.nextInt(DOUBLES.length)] : r.nextDouble() * 1000;
            case FLOAT:
                return (float) DOUBLES[r.nextInt(DOUBLES.length)];
            case BOOLEAN:
                return r.nextBoolean();
            case STRING:
                return STRINGS[r.nextInt(STRINGS.length)];
            case BYTE_STRING: {
                byte[] bytes = new byte[r.nextInt(3) == 0 ? 16 : r.nextInt(20)];
                r.nextBytes(bytes);
                return ByteString.copyFrom(bytes);
            }
            case ENUM:
                return f.getEnumType().findValueByNumberCreatingIfUnknown(r.nextInt(12) - 2);
            default: {
                // a message: a fresh one with a few random fields, or a mutated copy of a sibling
                Message.Builder child = parent.newBuilderForField(f);
                for (int i = 0, n = r.nextInt(3); i < n; i++) {
                    mutateField(child, r);
                }
                return child.build();
            }
        }
    }
}
