package dev.odin.exporter.prometheus.exposition;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffered UTF-8 writer straight to a byte stream, without a charset encoder per call: ASCII
 * is copied byte by byte, everything else encoded as {@link java.io.OutputStreamWriter} with
 * UTF-8 would (an unpaired surrogate becomes '?'). Full buffers go to the stream, which blocks
 * while the client is slow; the buffer never grows. Not thread-safe.
 */
final class Utf8Sink {

    static final int BUFFER = 64 * 1024;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;

    Utf8Sink(OutputStream out) {
        this.out = out;
    }

    void write(char c) throws IOException {
        if (c < 0x80) {
            if (pos == buf.length) {
                drain();
            }
            buf[pos++] = (byte) c;
        } else {
            writeSlow(String.valueOf(c), 0, 1);
        }
    }

    void write(String s) throws IOException {
        write(s, 0, s.length());
    }

    void write(String s, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                writeSlow(s, i, to);
                return;
            }
            if (pos == buf.length) {
                drain();
            }
            buf[pos++] = (byte) c;
        }
    }

    private void writeSlow(String s, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (pos + 4 > buf.length) {
                drain();
            }
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[pos++] = (byte) (0xF0 | (cp >> 18));
                buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                buf[pos++] = '?';
            } else {
                buf[pos++] = (byte) (0xE0 | (c >> 12));
                buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        if (len > buf.length - pos) {
            drain();
            if (len > buf.length) {
                out.write(bytes, off, len);
                return;
            }
        }
        System.arraycopy(bytes, off, buf, pos, len);
        pos += len;
    }

    /** Digits straight into the buffer: no String per value (a scrape writes millions). */
    void writeLong(long v) throws IOException {
        if (v == Long.MIN_VALUE) {
            write(Long.toString(v));
            return;
        }
        if (pos + 20 > buf.length) {
            drain();
        }
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        int end = pos + digits(v);
        int i = end;
        do {
            buf[--i] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        pos = end;
    }

    private static int digits(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** client_java's text double: +Inf, -Inf, otherwise {@link Double#toString}. */
    void writeDouble(double d) throws IOException {
        if (d == Double.POSITIVE_INFINITY) {
            write("+Inf");
        } else if (d == Double.NEGATIVE_INFINITY) {
            write("-Inf");
        } else if (d == (long) d && Math.abs(d) < 1e7 && Double.doubleToRawLongBits(d) != NEGATIVE_ZERO) {
            // Double.toString of an integral value below 10^7 is its digits and ".0"; counts,
            // bucket counters and 0/1 gauges mostly are
            writeLong((long) d);
            write(".0");
        } else {
            write(Double.toString(d));
        }
    }

    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

    /** OpenMetrics timestamp: seconds with three decimals, as client_java writes it. */
    void writeOpenMetricsTimestamp(long ms) throws IOException {
        writeLong(ms / 1000L);
        write('.');
        long rest = ms % 1000;
        if (rest < 100) {
            write('0');
        }
        if (rest < 10) {
            write('0');
        }
        writeLong(rest);
    }

    /** A label value (or OpenMetrics help) with \\, " and newline escaped. */
    void writeEscapedLabelValue(String s) throws IOException {
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"' || c == '\n') {
                write(s, start, i);
                write(c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
                start = i + 1;
            }
        }
        write(s, start, n);
    }

    /** The 0.0.4 text format's help: only \\ and newline are escaped. */
    void writeEscapedHelp(String s) throws IOException {
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\n') {
                write(s, start, i);
                write(c == '\\' ? "\\\\" : "\\n");
                start = i + 1;
            }
        }
        write(s, start, n);
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** Hands the buffered bytes to the stream and flushes it. */
    void flush() throws IOException {
        drain();
        out.flush();
    }
}
