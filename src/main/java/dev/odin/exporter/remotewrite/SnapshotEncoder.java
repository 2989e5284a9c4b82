package dev.odin.exporter.remotewrite;

import dev.odin.remotewrite.wire.v1.BucketSpan;
import dev.odin.remotewrite.wire.v1.Histogram;
import dev.odin.remotewrite.wire.v1.Label;
import dev.odin.remotewrite.wire.v1.MetricMetadata;
import dev.odin.remotewrite.wire.v1.Sample;
import dev.odin.remotewrite.wire.v1.TimeSeries;
import dev.odin.remotewrite.wire.v1.WriteRequest;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.Series;
import dev.odin.series.SeriesReader;
import dev.odin.series.SeriesStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one walk over the store into remote-write 1.0 requests of at most
 * {@code maxSamples} samples each, every sample at the snapshot time: counters as {@code _total},
 * gauges, explicit-bucket histograms as {@code _bucket{le}} (cumulative), {@code _sum} and
 * {@code _count}, exponential histograms as native histograms, summaries as {@code {quantile}},
 * {@code _sum}, {@code _count}, info metrics as {@code _info} 1. Names and label values are the
 * ones a scrape of /metrics shows. Each request carries the metadata (type, help) of the
 * families it holds.
 *
 * <p>With stale markers on, the encoder remembers which series the last snapshot sent; one that
 * is gone from the store gets Prometheus' stale NaN once, in requests of their own after the
 * snapshot's (a receiver that refused one would lose only markers). Not thread-safe: one
 * snapshot at a time.
 */
final class SnapshotEncoder {

    /** Prometheus' staleness marker: a NaN with this bit pattern (value.StaleNaN). */
    static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    /** Receives each finished request (uncompressed protobuf). */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] writeRequest, int samples) throws IOException;
    }

    /** What a snapshot sent. */
    record Result(int series, long samples, long staleSeries, int unreadable, String firstUnreadable) {
    }

    /** How a series was written, enough to write its stale markers; shared between series where it can be. */
    private record Shape(MetricFamily.Type type, String name, boolean nativeHistogram, double[] extra) {
    }

    private record Key(String name, LabelSet labels) {
    }

    private final int maxSamples;
    private final boolean staleMarkers;
    private Map<Key, Shape> previous = new HashMap<>();

    SnapshotEncoder(int maxSamples, boolean staleMarkers) {
        this.maxSamples = maxSamples;
        this.staleMarkers = staleMarkers;
    }

    /** One snapshot of the whole store, at {@code timestampMillis}, into the sink request by request. */
    Result snapshot(SeriesStore store, long timestampMillis, Sink sink) throws IOException {
        Walk walk = new Walk(timestampMillis, sink);
        try {
            SeriesReader.read(store, walk);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        walk.flush();
        long stale = 0;
        if (staleMarkers) {
            for (Map.Entry<Key, Shape> gone : previous.entrySet()) {
                if (!walk.current.containsKey(gone.getKey())) {
                    walk.stale(gone.getKey(), gone.getValue());
                    stale++;
                }
            }
            walk.flush();
            previous = walk.current;
        }
        return new Result(walk.seriesCount, walk.samplesTotal, stale, walk.unreadable, walk.firstUnreadable);
    }

    private static final class UncheckedIOException extends RuntimeException {
        UncheckedIOException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** One walk: the request being filled, the families whose metadata it has. */
    private final class Walk implements SeriesReader.Visitor {
        final long ts;
        final Sink sink;
        final Map<Key, Shape> current = staleMarkers ? new HashMap<>(Math.max(16, previous.size() * 4 / 3 + 16))
                : null;
        WriteRequest.Builder request = WriteRequest.newBuilder();
        int samples;
        int seriesCount;
        long samplesTotal;
        MetricFamily family;
        String base;
        MetricMetadata metadata;
        boolean metadataAdded;
        Shape shared;
        int unreadable;
        String firstUnreadable;

        Walk(long ts, Sink sink) {
            this.ts = ts;
            this.sink = sink;
        }

        @Override
        public boolean family(MetricFamily f, String exposedName) {
            family = f;
            base = exposedName;
            metadata = MetricMetadata.newBuilder().setType(type(f.type())).setMetricFamilyName(exposedName)
                    .setHelp(f.help() == null ? "" : f.help()).build();
            metadataAdded = false;
            shared = new Shape(f.type(), sampleName(f, exposedName), false, null);
            return true;
        }

        @Override
        public void counter(Series s, double value, long createdMillis) {
            begin(s, shared);
            add(series(shared.name(), s.labels(), null, null).addSamples(sample(value)));
        }

        @Override
        public void gauge(Series s, double value) {
            begin(s, shared);
            add(series(shared.name(), s.labels(), null, null).addSamples(sample(value)));
        }

        @Override
        public void info(Series s) {
            begin(s, shared);
            add(series(shared.name(), s.labels(), null, null).addSamples(sample(1)));
        }

        @Override
        public void histogram(Series s, double[] upperBounds, long[] counts, long count, double sum,
                long createdMillis) {
            begin(s, shape(upperBounds, false));
            long cumulative = 0;
            for (int i = 0; i < upperBounds.length; i++) {
                cumulative += counts[i];
                add(series(base + "_bucket", s.labels(), "le", format(upperBounds[i]))
                        .addSamples(sample(cumulative)));
            }
            if (!Double.isNaN(sum)) {
                add(series(base + "_sum", s.labels(), null, null).addSamples(sample(sum)));
            }
            add(series(base + "_count", s.labels(), null, null).addSamples(sample(count)));
        }

        @Override
        public void nativeHistogram(Series s, SeriesReader.NativeReading r, long createdMillis) {
            begin(s, shape(null, true));
            Histogram.Builder h = Histogram.newBuilder().setCountInt(r.count()).setSum(r.sum())
                    .setSchema(r.schema()).setZeroThreshold(r.zeroThreshold()).setZeroCountInt(r.zeroCount())
                    .setTimestamp(ts);
            spans(r.positiveIndexes(), r.positiveCounts(), h, true);
            spans(r.negativeIndexes(), r.negativeCounts(), h, false);
            add(series(base, s.labels(), null, null).addHistograms(h));
        }

        @Override
        public void summary(Series s, double[] quantiles, double[] values, long count, double sum,
                long createdMillis) {
            begin(s, shape(quantiles, false));
            for (int i = 0; i < quantiles.length; i++) {
                add(series(base, s.labels(), "quantile", format(quantiles[i])).addSamples(sample(values[i])));
            }
            if (!Double.isNaN(sum)) {
                add(series(base + "_sum", s.labels(), null, null).addSamples(sample(sum)));
            }
            add(series(base + "_count", s.labels(), null, null).addSamples(sample(count)));
        }

        @Override
        public void unreadable(MetricFamily f, Series s, RuntimeException cause) {
            if (unreadable++ == 0) {
                firstUnreadable = f.name() + s.labels() + ": " + cause.getMessage();
            }
        }

        /** Histograms and summaries with the same bounds (most of a family's) share one shape. */
        private Shape shape(double[] extra, boolean nativeHistogram) {
            if (shared.nativeHistogram() != nativeHistogram || !Arrays.equals(shared.extra(), extra)) {
                shared = new Shape(family.type(), base, nativeHistogram, extra);
            }
            return shared;
        }

        private void begin(Series s, Shape shape) {
            seriesCount++;
            if (current != null) {
                current.put(new Key(shape.name(), s.labels()), shape);
            }
        }

        private Sample sample(double value) {
            return Sample.newBuilder().setValue(value).setTimestamp(ts).build();
        }

        private void add(TimeSeries.Builder series) {
            if (!metadataAdded && metadata != null) {
                request.addMetadata(metadata);
                metadataAdded = true;
            }
            request.addTimeseries(series);
            samples++;
            samplesTotal++;
            if (samples >= maxSamples) {
                try {
                    flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void flush() throws IOException {
            if (samples > 0) {
                sink.accept(request.build().toByteArray(), samples);
            }
            request = WriteRequest.newBuilder();
            samples = 0;
            metadataAdded = false;
        }

        /** Stale markers of one series gone since the last snapshot; no metadata (the receiver has it). */
        void stale(Key key, Shape shape) throws IOException {
            metadata = null;
            LabelSet labels = key.labels();
            String name = shape.name();
            if (shape.nativeHistogram()) {
                add(series(name, labels, null, null).addHistograms(Histogram.newBuilder().setCountInt(0)
                        .setSum(STALE_NAN).setTimestamp(ts)));
            } else if (shape.type() == MetricFamily.Type.HISTOGRAM) {
                for (double le : shape.extra()) {
                    add(series(name + "_bucket", labels, "le", format(le)).addSamples(sample(STALE_NAN)));
                }
                add(series(name + "_sum", labels, null, null).addSamples(sample(STALE_NAN)));
                add(series(name + "_count", labels, null, null).addSamples(sample(STALE_NAN)));
            } else if (shape.type() == MetricFamily.Type.SUMMARY) {
                for (double q : shape.extra()) {
                    add(series(name, labels, "quantile", format(q)).addSamples(sample(STALE_NAN)));
                }
                add(series(name + "_sum", labels, null, null).addSamples(sample(STALE_NAN)));
                add(series(name + "_count", labels, null, null).addSamples(sample(STALE_NAN)));
            } else {
                add(series(name, labels, null, null).addSamples(sample(STALE_NAN)));
            }
        }
    }

    /** The sample name of a family's plain series: counters with {@code _total}, info with {@code _info}. */
    static String sampleName(MetricFamily f, String exposedName) {
        return switch (f.type()) {
            case COUNTER -> f.name().endsWith("_total") ? exposedName + "_total" : exposedName;
            case INFO -> exposedName + "_info";
            default -> exposedName;
        };
    }

    static MetricMetadata.MetricType type(MetricFamily.Type t) {
        return switch (t) {
            case COUNTER -> MetricMetadata.MetricType.COUNTER;
            case GAUGE -> MetricMetadata.MetricType.GAUGE;
            case HISTOGRAM -> MetricMetadata.MetricType.HISTOGRAM;
            case SUMMARY -> MetricMetadata.MetricType.SUMMARY;
            case INFO -> MetricMetadata.MetricType.INFO;
        };
    }

    /** A bound or quantile as the text exposition writes it (le="1.0", le="+Inf"). */
    static String format(double d) {
        if (d == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (d == Double.NEGATIVE_INFINITY) {
            return "-Inf";
        }
        return Double.isNaN(d) ? "NaN" : Double.toString(d);
    }

    /**
     * A series' labels, sorted by name as receivers require: __name__, the store's labels, and one
     * extra (le, quantile) that wins over a store label of the same name.
     */
    static TimeSeries.Builder series(String name, LabelSet labels, String extraName, String extraValue) {
        List<Label> out = new ArrayList<>(labels.size() + 2);
        boolean nameDone = false;
        boolean extraDone = extraName == null;
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.name(i);
            if (!nameDone && n.compareTo("__name__") >= 0) {
                out.add(label("__name__", name));
                nameDone = true;
            }
            if (!extraDone && n.compareTo(extraName) >= 0) {
                out.add(label(extraName, extraValue));
                extraDone = true;
            }
            if (n.equals("__name__") || n.equals(extraName)) {
                continue;
            }
            out.add(label(n, labels.value(i)));
        }
        if (!nameDone) {
            if (!extraDone && extraName.compareTo("__name__") < 0) {
                out.add(label(extraName, extraValue));
                extraDone = true;
            }
            out.add(label("__name__", name));
        }
        if (!extraDone) {
            out.add(label(extraName, extraValue));
        }
        return TimeSeries.newBuilder().addAllLabels(legacyNames(out));
    }

    /**
     * Label names as a classic scrape shows them: with a UTF-8 naming strategy the store keeps
     * dots (service.name), which a 1.0 receiver before Prometheus 3 refuses with the whole
     * request; each character outside [a-zA-Z0-9_] becomes '_' (Prometheus' underscore escaping),
     * re-sorted, and of two names that become one the first is kept.
     */
    static List<Label> legacyNames(List<Label> labels) {
        boolean changed = false;
        List<Label> out = labels;
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.get(i).getName();
            String legacy = legacy(n);
            if (!legacy.equals(n)) {
                if (!changed) {
                    out = new ArrayList<>(labels);
                    changed = true;
                }
                out.set(i, label(legacy, labels.get(i).getValue()));
            }
        }
        if (!changed) {
            return labels;
        }
        out.sort(java.util.Comparator.comparing(Label::getName));
        List<Label> unique = new ArrayList<>(out.size());
        for (Label l : out) {
            if (unique.isEmpty() || !unique.get(unique.size() - 1).getName().equals(l.getName())) {
                unique.add(l);
            }
        }
        return unique;
    }

    private static String legacy(String name) {
        StringBuilder sb = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                if (sb == null) {
                    sb = new StringBuilder(name);
                }
                sb.setCharAt(i, '_');
            }
        }
        return sb == null ? name : sb.toString();
    }

    private static Label label(String name, String value) {
        return Label.newBuilder().setName(name).setValue(value).build();
    }

    /**
     * Buckets as spans and deltas: a span per run of consecutive indexes; the first span's offset
     * is its first index, each later one's the gap since the previous span; each count is given
     * as the difference to the bucket before it (the first to 0).
     */
    static void spans(int[] indexes, long[] counts, Histogram.Builder h, boolean positive) {
        if (indexes.length == 0) {
            return;
        }
        int start = 0;
        int previousEnd = 0;
        long previousCount = 0;
        for (int i = 1; i <= indexes.length; i++) {
            if (i == indexes.length || indexes[i] != indexes[i - 1] + 1) {
                int offset = start == 0 ? indexes[0] : indexes[start] - previousEnd;
                BucketSpan span = BucketSpan.newBuilder().setOffset(offset).setLength(i - start).build();
                if (positive) {
                    h.addPositiveSpans(span);
                } else {
                    h.addNegativeSpans(span);
                }
                previousEnd = indexes[i - 1] + 1;
                start = i;
            }
        }
        for (long c : counts) {
            if (positive) {
                h.addPositiveDeltas(c - previousCount);
            } else {
                h.addNegativeDeltas(c - previousCount);
            }
            previousCount = c;
        }
    }
}
