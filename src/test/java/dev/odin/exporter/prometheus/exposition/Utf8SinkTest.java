package dev.odin.exporter.prometheus.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The number fast paths write exactly what Long.toString and client_java's Double.toString do. */
class Utf8SinkTest {

    private static String longs(long... values) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Utf8Sink sink = new Utf8Sink(out);
        for (long v : values) {
            sink.writeLong(v);
            sink.write(' ');
        }
        sink.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String doubles(double... values) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Utf8Sink sink = new Utf8Sink(out);
        for (double v : values) {
            sink.writeDouble(v);
            sink.write(' ');
        }
        sink.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String expected(double d) {
        return d == Double.POSITIVE_INFINITY ? "+Inf" : d == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(d);
    }

    @Test
    void longsAsLongToString() throws IOException {
        long[] values = {0, 1, -1, 9, 10, 99, 100, -100, 1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L};
        StringBuilder want = new StringBuilder();
        for (long v : values) {
            want.append(v).append(' ');
        }
        assertEquals(want.toString(), longs(values));
    }

    @Test
    void doublesAsDoubleToString() throws IOException {
        SplittableRandom random = new SplittableRandom(16);
        double[] values = new double[200_000];
        int k = 0;
        double[] edges = {0.0, -0.0, 1.0, -1.0, 9_999_999.0, 10_000_000.0, -9_999_999.0, -10_000_000.0, 0.5,
            1e-3, 1e7, 1e18, 9.223372036854776E18, -9.223372036854776E18, Double.MAX_VALUE, Double.MIN_VALUE,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 123456.0, 123456.5};
        for (double e : edges) {
            values[k++] = e;
        }
        while (k < values.length) {
            // integral values around the 10^7 boundary, plain fractions, and any bit pattern
            switch (k % 3) {
                case 0 -> values[k++] = random.nextLong(-20_000_000L, 20_000_000L);
                case 1 -> values[k++] = random.nextDouble(-2e7, 2e7);
                default -> values[k++] = Double.longBitsToDouble(random.nextLong());
            }
        }
        StringBuilder want = new StringBuilder();
        for (double v : values) {
            want.append(expected(v)).append(' ');
        }
        assertEquals(want.toString(), doubles(values));
    }
}
