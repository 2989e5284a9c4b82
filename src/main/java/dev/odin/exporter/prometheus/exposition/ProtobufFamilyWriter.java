package dev.odin.exporter.prometheus.exposition;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.odin.series.ExponentialBuckets;
import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.Point;
import dev.odin.series.Series;
import dev.odin.series.SeriesCollector;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Quantiles;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Writes one family of the series store as one length-delimited
 * {@code io.prometheus.client.MetricFamily} straight from its series, byte for byte as client_java
 * 1.3's PrometheusProtobufWriter writes the family's snapshot: counters as COUNTER named
 * {@code _total} with their exemplar (and no created timestamp: that writer sets none), a counter
 * without {@code _total} as UNTYPED, gauges as GAUGE, info as a GAUGE of 1 named {@code _info},
 * classic histograms with cumulative buckets and each bucket's exemplar, native histograms with
 * schema, zero bucket, spans and deltas (client_java's span rule: gaps of up to two buckets are
 * filled with empty ones) and one +Inf bucket for the newest exemplar, summaries with their
 * quantiles; fields in field-number order, proto2 presence. No message object per series.
 *
 * <p>A delimited message starts with its length, so the family is sized before it is written, in
 * two passes. The first reads every series once (under its lock, into the one reused
 * {@link Point}), checks it as {@link FamilyWriter} does (a family that fails goes through
 * client_java instead) and fixes the values its message is made of into flat arrays: a double per
 * gauge or counter (and the counter's exemplar), the references to a histogram's bucket arrays
 * (which a series never mutates once it holds them) and its sum. The second pass writes those
 * fixed values and does not read the series again: a series that changes between the passes (a
 * new exemplar, a count that crosses a varint boundary, a series removed) cannot make the family
 * longer or shorter than its announced length; it is written as the first pass saw it, as a
 * snapshot would hold it. Memory: those arrays, grown to the largest family of the scrape (16
 * bytes a series for gauges, 28 for classic and 48 for native histograms, up to twice that as
 * they grow by doubling), no byte buffer and no object per series.
 */
final class ProtobufFamilyWriter {

    /** How a family came out. */
    enum Outcome {
        WRITTEN,
        /** Nothing written: the family fails a check, client_java writes or refuses it. */
        FALLBACK,
        /** Nothing written: one message cannot hold it (2 GiB), nor can client_java's. */
        TOO_LARGE
    }

    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

    // io.prometheus.client.MetricType
    private static final int COUNTER = 0;
    private static final int GAUGE = 1;
    private static final int SUMMARY = 2;
    private static final int UNTYPED = 3;
    private static final int HISTOGRAM = 4;

    // io.prometheus.client.Metric's fields
    private static final int METRIC_LABEL = 1;
    private static final int METRIC_GAUGE = 2;
    private static final int METRIC_COUNTER = 3;
    private static final int METRIC_SUMMARY = 4;
    private static final int METRIC_UNTYPED = 5;
    private static final int METRIC_HISTOGRAM = 7;

    /** The encoded size of a Gauge, Untyped or Counter without exemplar: one double field. */
    private static final int ONE_DOUBLE = 9;

    private final Point p = new Point();
    /** Strings are encoded here before they go to the stream. */
    private byte[] scratch = new byte[256];
    /** Tests: runs between the passes of each family, to change series there. */
    private final Consumer<SeriesCollector.Exposed> betweenPasses;

    // the values the first pass fixed, slot i per written series, in writing order
    private Series[] series = new Series[16];
    private int[] sizes = new int[16];
    private double[] d0 = new double[0];
    private double[] d1 = new double[0];
    private long[] l0 = new long[0];
    private int[] i0 = new int[0];
    private Object[] o0 = new Object[0];
    private Object[] o1 = new Object[0];
    private Object[] o2 = new Object[0];

    ProtobufFamilyWriter() {
        this(null);
    }

    ProtobufFamilyWriter(Consumer<SeriesCollector.Exposed> betweenPasses) {
        this.betweenPasses = betweenPasses;
    }

    Outcome write(SeriesCollector.Exposed e, CodedOutputStream out, long nowMillis) throws IOException {
        MetricFamily f = e.family();
        if (SeriesCollector.validateName(f.type(), f.name()) != null) {
            return Outcome.FALLBACK;
        }
        int n = 0;
        try {
            n = fix(e, nowMillis);
            if (n < 0) {
                return Outcome.FALLBACK;
            }
            if (n == 0) {
                return Outcome.WRITTEN; // client_java writes no message for a family without points
            }
            String name = familyName(e);
            String help = e.help();
            long size = stringSize(1, name) + (help == null ? 0 : stringSize(2, help))
                    + CodedOutputStream.computeEnumSize(3, metricType(e));
            for (int i = 0; i < n; i++) {
                size += field(4, sizes[i]);
            }
            if (size > Integer.MAX_VALUE) {
                return Outcome.TOO_LARGE;
            }
            if (betweenPasses != null) {
                betweenPasses.accept(e);
            }
            out.writeUInt32NoTag((int) size);
            writeText(1, name, out);
            if (help != null) {
                writeText(2, help, out);
            }
            out.writeEnum(3, metricType(e));
            for (int i = 0; i < n; i++) {
                out.writeTag(4, LEN);
                out.writeUInt32NoTag(sizes[i]);
                writeMetric(f.type(), e.untyped(), i, out);
            }
            return Outcome.WRITTEN;
        } finally {
            release(n);
        }
    }

    /**
     * The first pass: reads, checks and fixes every series, and sizes its Metric message.
     *
     * @return how many series are fixed, or -1 when one fails a check
     */
    private int fix(SeriesCollector.Exposed e, long nowMillis) {
        MetricFamily f = e.family();
        Collection<Series> view = f.seriesView();
        Iterable<Series> order = view;
        if (f.size() <= FamilyWriter.SORTED_UP_TO) {
            Series[] sorted = view.toArray(new Series[0]);
            Arrays.sort(sorted, (a, b) -> FamilyWriter.compare(a.labels(), b.labels()));
            order = Arrays.asList(sorted);
        }
        int n = 0;
        for (Series s : order) {
            if (!s.read(p, nowMillis)) {
                continue;
            }
            if (!FamilyWriter.writable(f.type(), s, e.untyped(), p)) {
                release(n);
                return -1;
            }
            keep(f.type(), e.untyped(), n, s);
            sizes = room(sizes, n);
            sizes[n] = metricSize(f.type(), e.untyped(), n);
            n++;
        }
        return n;
    }

    /** Copies what slot i's message is made of out of the point. */
    private void keep(MetricFamily.Type type, boolean untyped, int i, Series s) {
        series = room(series, i);
        series[i] = s;
        switch (type) {
            case COUNTER:
                d0 = room(d0, i);
                d0[i] = p.value();
                if (!untyped) {
                    o0 = room(o0, i);
                    o0[i] = p.exemplar();
                }
                break;
            case GAUGE:
                d0 = room(d0, i);
                d0[i] = p.value();
                break;
            case HISTOGRAM:
                d0 = room(d0, i);
                o0 = room(o0, i);
                o1 = room(o1, i);
                o2 = room(o2, i);
                d0[i] = p.sum();
                if (s instanceof ExponentialHistogramSeries) {
                    d1 = room(d1, i);
                    l0 = room(l0, i);
                    i0 = room(i0, i);
                    o0[i] = p.positive();
                    o1[i] = p.negative();
                    o2[i] = p.exemplars();
                    d1[i] = p.zeroThreshold();
                    l0[i] = p.zeroHeld() ? 0 : p.count();
                    i0[i] = p.scale();
                } else {
                    o0[i] = p.bounds();
                    o1[i] = p.zeroHeld() ? null : p.counts(); // null: every bucket 0
                    o2[i] = p.bucketExemplars();
                }
                break;
            case SUMMARY:
                d0 = room(d0, i);
                l0 = room(l0, i);
                o0 = room(o0, i);
                d0[i] = p.sum();
                l0[i] = p.count();
                o0[i] = p.quantiles();
                break;
            default:
                break; // info: the labels are all
        }
    }

    /** Lets go of the series and the arrays the slots point at (the writer lives for one scrape). */
    private void release(int n) {
        if (n <= 0) {
            return;
        }
        Arrays.fill(series, 0, Math.min(n, series.length), null);
        for (Object[] a : new Object[][] {o0, o1, o2}) {
            Arrays.fill(a, 0, Math.min(n, a.length), null);
        }
    }

    private static String familyName(SeriesCollector.Exposed e) {
        switch (e.family().type()) {
            case COUNTER:
                return e.untyped() ? e.prometheusName() : e.prometheusName() + "_total";
            case INFO:
                return e.prometheusName() + "_info";
            default:
                return e.prometheusName();
        }
    }

    private static int metricType(SeriesCollector.Exposed e) {
        switch (e.family().type()) {
            case COUNTER:
                return e.untyped() ? UNTYPED : COUNTER;
            case HISTOGRAM:
                return HISTOGRAM;
            case SUMMARY:
                return SUMMARY;
            default:
                return GAUGE; // gauge and info
        }
    }

    // ---- sizes (the first pass) and writing (the second), field by field alike

    private int metricSize(MetricFamily.Type type, boolean untyped, int i) {
        return labelsSize(series[i].labels()) + field(valueField(type, untyped), valueSize(type, untyped, i));
    }

    private static int valueField(MetricFamily.Type type, boolean untyped) {
        switch (type) {
            case COUNTER:
                return untyped ? METRIC_UNTYPED : METRIC_COUNTER;
            case HISTOGRAM:
                return METRIC_HISTOGRAM;
            case SUMMARY:
                return METRIC_SUMMARY;
            default:
                return METRIC_GAUGE;
        }
    }

    private int valueSize(MetricFamily.Type type, boolean untyped, int i) {
        switch (type) {
            case COUNTER:
                if (untyped) {
                    return ONE_DOUBLE;
                }
                Exemplar ex = (Exemplar) o0[i];
                return ONE_DOUBLE + (ex == null ? 0 : field(2, exemplarSize(ex)));
            case HISTOGRAM:
                return series[i] instanceof ExponentialHistogramSeries ? nativeSize(i) : classicSize(i);
            case SUMMARY:
                return summarySize(i);
            default:
                return ONE_DOUBLE;
        }
    }

    private void writeMetric(MetricFamily.Type type, boolean untyped, int i, CodedOutputStream out)
            throws IOException {
        writeLabels(series[i].labels(), out);
        int field = valueField(type, untyped);
        out.writeTag(field, LEN);
        out.writeUInt32NoTag(valueSize(type, untyped, i));
        switch (type) {
            case COUNTER:
                out.writeDouble(1, d0[i]);
                Exemplar ex = untyped ? null : (Exemplar) o0[i];
                if (ex != null) {
                    out.writeTag(2, LEN);
                    out.writeUInt32NoTag(exemplarSize(ex));
                    writeExemplar(ex, out);
                }
                break;
            case GAUGE:
                out.writeDouble(1, d0[i]);
                break;
            case INFO:
                out.writeDouble(1, 1.0);
                break;
            case HISTOGRAM:
                if (series[i] instanceof ExponentialHistogramSeries) {
                    writeNative(i, out);
                } else {
                    writeClassic(i, out);
                }
                break;
            case SUMMARY:
                writeSummary(i, out);
                break;
            default:
                break;
        }
    }

    private static int labelsSize(LabelSet labels) {
        int size = 0;
        for (int i = 0; i < labels.size(); i++) {
            size += field(METRIC_LABEL, pairSize(labels.name(i), labels.value(i)));
        }
        return size;
    }

    private void writeLabels(LabelSet labels, CodedOutputStream out) throws IOException {
        for (int i = 0; i < labels.size(); i++) {
            writePair(labels.name(i), labels.value(i), out);
        }
    }

    private static int pairSize(String name, String value) {
        return stringSize(1, name) + stringSize(2, value);
    }

    /**
     * A string field's size, as computeStringSize gives it without its cost for a string with an
     * unpaired surrogate: protobuf throws and catches an exception (a stack trace, some 4 KB) for
     * each such string, twice a label a scrape, which let a sender whose label values carry one
     * make a protobuf scrape ten times dearer than the text one.
     */
    private static int stringSize(int field, String s) {
        int length = utf8Length(s);
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    /** The length of {@code s.getBytes(UTF_8)}: an unpaired surrogate is one byte, '?'. */
    private static int utf8Length(String s) {
        int n = s.length();
        int length = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                length += 1;
            } else if (!Character.isSurrogate(c)) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                length += 2; // two chars, four bytes
                i++;
            }
        }
        return length;
    }

    /** A LabelPair as field 1 of a Metric or an Exemplar. */
    private void writePair(String name, String value, CodedOutputStream out) throws IOException {
        out.writeTag(1, LEN);
        out.writeUInt32NoTag(pairSize(name, value));
        writeText(1, name, out);
        writeText(2, value, out);
    }

    /**
     * A string field, UTF-8 encoded into a reused array: protobuf's writeString allocates for each
     * string (some 30 bytes; a scrape writes ten strings a series), and for one with an unpaired
     * surrogate (OTLP/JSON can carry one) logs a warning with a stack trace before it sends
     * {@code getBytes(UTF_8)}, '?' for the surrogate: those bytes are encoded here, without the
     * log or the copy.
     */
    private void writeText(int field, String s, CodedOutputStream out) throws IOException {
        int n = s.length();
        if (scratch.length < 3 * n) {
            scratch = new byte[Math.max(3 * n, 2 * scratch.length)];
        }
        int length = utf8(s, scratch);
        out.writeTag(field, LEN);
        out.writeUInt32NoTag(length);
        out.writeRawBytes(scratch, 0, length);
    }

    /** Encodes as {@code getBytes(UTF_8)} does ('?' for an unpaired surrogate); @return the length */
    private static int utf8(String s, byte[] b) {
        int j = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[j++] = (byte) c;
            } else if (c < 0x800) {
                b[j++] = (byte) (0xC0 | (c >> 6));
                b[j++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                b[j++] = (byte) (0xE0 | (c >> 12));
                b[j++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[j++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[j++] = (byte) (0xF0 | (cp >> 18));
                b[j++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[j++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[j++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[j++] = '?';
            }
        }
        return j;
    }

    private static int exemplarSize(Exemplar e) {
        Labels l = e.getLabels();
        int size = 0;
        for (int i = 0; i < l.size(); i++) {
            size += field(1, pairSize(l.getPrometheusName(i), l.getValue(i)));
        }
        size += ONE_DOUBLE;
        if (e.hasTimestamp()) {
            size += field(3, timestampSize(e.getTimestampMillis()));
        }
        return size;
    }

    private void writeExemplar(Exemplar e, CodedOutputStream out) throws IOException {
        Labels l = e.getLabels();
        for (int i = 0; i < l.size(); i++) {
            writePair(l.getPrometheusName(i), l.getValue(i), out);
        }
        out.writeDouble(2, e.getValue());
        if (e.hasTimestamp()) {
            long ms = e.getTimestampMillis();
            out.writeTag(3, LEN);
            out.writeUInt32NoTag(timestampSize(ms));
            // google.protobuf.Timestamp is proto3: zero fields are left out
            if (ms / 1000L != 0) {
                out.writeInt64(1, ms / 1000L);
            }
            if (nanos(ms) != 0) {
                out.writeInt32(2, nanos(ms));
            }
        }
    }

    /** client_java's ProtobufUtil.timestampFromMillis. */
    private static int nanos(long ms) {
        return (int) (ms % 1000L * 1000000L);
    }

    private static int timestampSize(long ms) {
        long seconds = ms / 1000L;
        return (seconds == 0 ? 0 : CodedOutputStream.computeInt64Size(1, seconds))
                + (nanos(ms) == 0 ? 0 : CodedOutputStream.computeInt32Size(2, nanos(ms)));
    }

    // classic histogram: sample_count (1), sample_sum (2), bucket (3)

    private int classicSize(int i) {
        double[] bounds = (double[]) o0[i];
        long[] counts = (long[]) o1[i];
        Exemplar[] ex = (Exemplar[]) o2[i];
        double sum = d0[i];
        long cumulative = 0;
        int size = 0;
        double lower = Double.NEGATIVE_INFINITY;
        for (int b = 0; b <= bounds.length; b++) {
            double upper = b < bounds.length ? bounds[b] : Double.POSITIVE_INFINITY;
            cumulative += counts == null ? 0 : counts[b];
            size += field(3, bucketSize(cumulative, upper, ex == null ? null : FamilyWriter.pick(ex, lower, upper)));
            lower = upper;
        }
        // the count is the buckets' total, which the last bucket holds
        size += CodedOutputStream.computeUInt64Size(1, cumulative);
        if (!Double.isNaN(sum)) {
            size += CodedOutputStream.computeDoubleSize(2, sum);
        }
        return size;
    }

    private void writeClassic(int i, CodedOutputStream out) throws IOException {
        double[] bounds = (double[]) o0[i];
        long[] counts = (long[]) o1[i];
        Exemplar[] ex = (Exemplar[]) o2[i];
        double sum = d0[i];
        long total = 0;
        if (counts != null) {
            for (long c : counts) {
                total += c;
            }
        }
        out.writeUInt64(1, total);
        if (!Double.isNaN(sum)) {
            out.writeDouble(2, sum);
        }
        long cumulative = 0;
        double lower = Double.NEGATIVE_INFINITY;
        for (int b = 0; b <= bounds.length; b++) {
            double upper = b < bounds.length ? bounds[b] : Double.POSITIVE_INFINITY;
            cumulative += counts == null ? 0 : counts[b];
            writeBucket(cumulative, upper, ex == null ? null : FamilyWriter.pick(ex, lower, upper), out);
            lower = upper;
        }
    }

    private static int bucketSize(long cumulative, double upper, Exemplar e) {
        return CodedOutputStream.computeUInt64Size(1, cumulative) + CodedOutputStream.computeDoubleSize(2, upper)
                + (e == null ? 0 : field(3, exemplarSize(e)));
    }

    private void writeBucket(long cumulative, double upper, Exemplar e, CodedOutputStream out)
            throws IOException {
        out.writeTag(3, LEN);
        out.writeUInt32NoTag(bucketSize(cumulative, upper, e));
        out.writeUInt64(1, cumulative);
        out.writeDouble(2, upper);
        if (e != null) {
            out.writeTag(3, LEN);
            out.writeUInt32NoTag(exemplarSize(e));
            writeExemplar(e, out);
        }
    }

    // native histogram: sample_count (1), sample_sum (2), the exemplar's +Inf bucket (3), schema (5),
    // zero_threshold (6), zero_count (7), negative_span (9), negative_delta (10), positive_span (12),
    // positive_delta (13)

    private static final int SIZE = 0;
    private static final int SPANS = 1;
    private static final int DELTAS = 2;

    private int nativeSize(int i) {
        ExponentialBuckets pos = (ExponentialBuckets) o0[i];
        ExponentialBuckets neg = (ExponentialBuckets) o1[i];
        long count = nativeCount(i);
        Exemplar latest = latest((Exemplar[]) o2[i]);
        int size = CodedOutputStream.computeUInt64Size(1, count);
        if (!Double.isNaN(d0[i])) {
            size += CodedOutputStream.computeDoubleSize(2, d0[i]);
        }
        if (latest != null) {
            size += field(3, bucketSize(count, Double.POSITIVE_INFINITY, latest));
        }
        size += CodedOutputStream.computeSInt32Size(5, i0[i]) + CodedOutputStream.computeDoubleSize(6, d1[i])
                + CodedOutputStream.computeUInt64Size(7, l0[i]);
        try {
            return size + side(neg, 9, 10, null, SIZE) + side(pos, 12, 13, null, SIZE);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible); // nothing is written while sizing
        }
    }

    private void writeNative(int i, CodedOutputStream out) throws IOException {
        ExponentialBuckets pos = (ExponentialBuckets) o0[i];
        ExponentialBuckets neg = (ExponentialBuckets) o1[i];
        long count = nativeCount(i);
        Exemplar latest = latest((Exemplar[]) o2[i]);
        out.writeUInt64(1, count);
        if (!Double.isNaN(d0[i])) {
            out.writeDouble(2, d0[i]);
        }
        if (latest != null) {
            writeBucket(count, Double.POSITIVE_INFINITY, latest, out);
        }
        out.writeSInt32(5, i0[i]);
        out.writeDouble(6, d1[i]);
        out.writeUInt64(7, l0[i]);
        side(neg, 9, 10, out, SPANS);
        side(neg, 9, 10, out, DELTAS);
        side(pos, 12, 13, out, SPANS);
        side(pos, 12, 13, out, DELTAS);
    }

    /** client_java's count of a native histogram: the zero bucket's and every bucket's. */
    private long nativeCount(int i) {
        long count = l0[i];
        for (ExponentialBuckets b : new ExponentialBuckets[] {(ExponentialBuckets) o1[i], (ExponentialBuckets) o0[i]}) {
            for (int k = 0; k < b.length(); k++) {
                count += b.count(k);
            }
        }
        return count;
    }

    /** client_java's Exemplars.getLatest(): the newest by timestamp, or the last without one. */
    private static Exemplar latest(Exemplar[] list) {
        if (list == null) {
            return null;
        }
        Exemplar latest = null;
        for (Exemplar candidate : list) {
            if (candidate == null) {
                continue;
            }
            if (latest == null || !latest.hasTimestamp()) {
                latest = candidate;
            } else if (candidate.hasTimestamp() && latest.getTimestampMillis() < candidate.getTimestampMillis()) {
                latest = candidate;
            }
        }
        return latest;
    }

    /**
     * One side of a native histogram as client_java's addBuckets makes it: the buckets with a count
     * (Prometheus index = OTLP index + 1), in spans, a gap of one or two buckets filled with empty
     * ones, each count as the delta to the previous bucket's. Sizes spans and deltas, or writes the
     * spans, or writes the deltas (each a repeated field of its own).
     */
    private static int side(ExponentialBuckets b, int spanField, int deltaField, CodedOutputStream out, int mode)
            throws IOException {
        int size = 0;
        boolean started = false;
        int spanOffset = 0;
        int spanLength = 0;
        int previousIndex = 0;
        long previousCount = 0;
        for (int k = 0; k < b.length(); k++) {
            long c = b.count(k);
            if (c == 0) {
                continue;
            }
            int index = b.offset() + k + 1;
            if (!started) {
                started = true;
                spanOffset = index;
                previousIndex = index;
            } else if (index > previousIndex + 1) {
                if (index <= previousIndex + 3) {
                    while (index > previousIndex + 1) {
                        spanLength++;
                        previousIndex++;
                        size += delta(-previousCount, deltaField, out, mode);
                        previousCount = 0;
                    }
                } else {
                    size += span(spanOffset, spanLength, spanField, out, mode);
                    spanOffset = index - (previousIndex + 1);
                    spanLength = 0;
                }
            }
            spanLength++;
            previousIndex = index;
            size += delta(c - previousCount, deltaField, out, mode);
            previousCount = c;
        }
        if (started) {
            size += span(spanOffset, spanLength, spanField, out, mode);
        }
        return size;
    }

    private static int span(int offset, int length, int field, CodedOutputStream out, int mode) throws IOException {
        int body = CodedOutputStream.computeSInt32Size(1, offset) + CodedOutputStream.computeUInt32Size(2, length);
        if (mode == SPANS) {
            out.writeTag(field, LEN);
            out.writeUInt32NoTag(body);
            out.writeSInt32(1, offset);
            out.writeUInt32(2, length);
        }
        return mode == SIZE ? field(field, body) : 0;
    }

    private static int delta(long delta, int field, CodedOutputStream out, int mode) throws IOException {
        if (mode == DELTAS) {
            out.writeSInt64(field, delta);
        }
        return mode == SIZE ? CodedOutputStream.computeSInt64Size(field, delta) : 0;
    }

    // summary: sample_count (1), sample_sum (2), quantile (3)

    /** A Quantile message: two double fields. */
    private static final int QUANTILE = 2 * ONE_DOUBLE;

    private int summarySize(int i) {
        Quantiles q = (Quantiles) o0[i];
        int size = CodedOutputStream.computeUInt64Size(1, l0[i]);
        if (!Double.isNaN(d0[i])) {
            size += CodedOutputStream.computeDoubleSize(2, d0[i]);
        }
        return size + q.size() * field(3, QUANTILE);
    }

    private void writeSummary(int i, CodedOutputStream out) throws IOException {
        Quantiles q = (Quantiles) o0[i];
        out.writeUInt64(1, l0[i]);
        if (!Double.isNaN(d0[i])) {
            out.writeDouble(2, d0[i]);
        }
        for (int k = 0; k < q.size(); k++) {
            out.writeTag(3, LEN);
            out.writeUInt32NoTag(QUANTILE);
            out.writeDouble(1, q.get(k).getQuantile());
            out.writeDouble(2, q.get(k).getValue());
        }
    }

    /** A length-delimited field: tag, length, body. */
    private static int field(int number, int bodySize) {
        return CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(bodySize)
                + bodySize;
    }

    private static int capacity(int length, int index) {
        return Math.max(16, Math.max(index + 1, length * 2));
    }

    private static double[] room(double[] a, int i) {
        return i < a.length ? a : Arrays.copyOf(a, capacity(a.length, i));
    }

    private static long[] room(long[] a, int i) {
        return i < a.length ? a : Arrays.copyOf(a, capacity(a.length, i));
    }

    private static int[] room(int[] a, int i) {
        return i < a.length ? a : Arrays.copyOf(a, capacity(a.length, i));
    }

    private static <T> T[] room(T[] a, int i) {
        return i < a.length ? a : Arrays.copyOf(a, capacity(a.length, i));
    }
}
