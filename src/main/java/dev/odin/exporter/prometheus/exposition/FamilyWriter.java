package dev.odin.exporter.prometheus.exposition;

import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.Point;
import dev.odin.series.Series;
import dev.odin.series.SeriesCollector;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Quantile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Writes one family of the series store in the Prometheus text format 0.0.4 or OpenMetrics
 * 1.0.0 straight from its series, as client_java's PrometheusTextFormatWriter and
 * OpenMetricsTextFormatWriter (created timestamps on, exemplars on counters and histogram buckets
 * only) write the family's snapshot: the same lines, the same number formatting and escaping.
 * One reused {@link Point} per scrape, no snapshot object per series.
 *
 * <p>Every series is read and checked before the family's first byte (the rules client_java's
 * snapshot constructors enforce): a family that does not pass is not written here, and the caller
 * hands it to client_java, which writes it or refuses it (the family is then left out and
 * counted). Families of at most {@link #SORTED_UP_TO} series are written in client_java's label
 * order; larger ones in the store's (hash) order, which Prometheus does not mind.
 */
final class FamilyWriter {

    /** Families up to this size are sorted by labels, as client_java sorts; larger ones are not. */
    static final int SORTED_UP_TO = 10_000;

    private final boolean openMetrics;
    private final Point p = new Point();
    private long skipped;

    FamilyWriter(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    /** Series that failed the check between the check and the writing (changed meanwhile), left out. */
    long skipped() {
        return skipped;
    }

    /**
     * @return false when the family must go through client_java instead (nothing written)
     */
    boolean write(SeriesCollector.Exposed e, Utf8Sink out, long nowMillis) throws IOException {
        MetricFamily f = e.family();
        if (SeriesCollector.validateName(f.type(), f.name()) != null) {
            return false;
        }
        Collection<Series> view = f.seriesView();
        List<Series> sorted = f.size() <= SORTED_UP_TO ? new ArrayList<>(f.size() + 8) : null;
        int points = 0;
        for (Series s : view) {
            if (!s.read(p, nowMillis)) {
                continue;
            }
            if (!writable(f.type(), s, e.untyped(), p)) {
                return false;
            }
            points++;
            if (sorted != null) {
                sorted.add(s);
            }
        }
        if (points == 0) {
            return true;
        }
        Iterable<Series> order = view;
        if (sorted != null) {
            sorted.sort((a, b) -> compare(a.labels(), b.labels()));
            order = sorted;
        }
        String name = e.prometheusName();
        writeMetadata(e, out);
        for (Series s : order) {
            if (!s.read(p, nowMillis)) {
                continue;
            }
            if (!writable(f.type(), s, e.untyped(), p)) {
                skipped++;
                continue;
            }
            LabelSet labels = s.labels();
            switch (f.type()) {
                case COUNTER:
                    if (e.untyped()) {
                        sample(out, name, null, labels);
                        out.writeDouble(p.value());
                        out.write('\n');
                    } else {
                        sample(out, name, "_total", labels);
                        out.writeDouble(p.value());
                        if (openMetrics) {
                            exemplar(out, p.exemplar());
                        }
                        out.write('\n');
                        created(out, name, labels);
                    }
                    break;
                case GAUGE:
                    sample(out, name, null, labels);
                    out.writeDouble(p.value());
                    out.write('\n');
                    break;
                case INFO:
                    sample(out, name, "_info", labels);
                    out.write("1\n");
                    break;
                case HISTOGRAM:
                    if (s instanceof ExponentialHistogramSeries) {
                        nativeHistogram(out, name, labels);
                    } else {
                        classicHistogram(out, name, labels);
                    }
                    break;
                case SUMMARY:
                    summary(out, name, labels);
                    break;
                default:
                    break;
            }
        }
        return true;
    }

    /**
     * What client_java's snapshot constructors and writers would refuse, checked on the read point
     * (the protobuf writer uses the same checks).
     */
    static boolean writable(MetricFamily.Type type, Series s, boolean untyped, Point p) {
        if (p.opaque()) {
            return false;
        }
        LabelSet labels = s.labels();
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.name(i);
            // dotted label names are exposed with '_' and sorted so by client_java: its path
            if (n.indexOf('.') >= 0) {
                return false;
            }
            if ((type == MetricFamily.Type.HISTOGRAM && n.equals("le"))
                    || (type == MetricFamily.Type.SUMMARY && n.equals("quantile"))) {
                return false;
            }
        }
        switch (type) {
            case COUNTER:
                return untyped || !(p.value() < 0);
            case HISTOGRAM:
                if (s instanceof ExponentialHistogramSeries) {
                    return p.nativeCountsValid() && p.nativeCount() >= 0 && p.zeroThreshold() >= 0;
                }
                return classicValid(p);
            case SUMMARY:
                return p.count() >= 0 && p.quantiles() != null;
            default:
                return true;
        }
    }

    private static boolean classicValid(Point p) {
        double[] bounds = p.bounds();
        long[] counts = p.counts();
        if (bounds == null || (!p.zeroHeld() && (counts == null || counts.length != bounds.length + 1))) {
            return false;
        }
        for (int i = 0; i < bounds.length; i++) {
            double b = bounds[i];
            if (Double.isNaN(b) || b == Double.POSITIVE_INFINITY || (i > 0 && !(bounds[i - 1] < b))) {
                return false;
            }
        }
        if (p.zeroHeld()) {
            return true;
        }
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                return false;
            }
            total += c;
        }
        return total >= 0;
    }

    private void writeMetadata(SeriesCollector.Exposed e, Utf8Sink out) throws IOException {
        String name = e.prometheusName();
        String help = e.help();
        MetricFamily.Type type = e.family().type();
        String textSuffix;
        String textType;
        String omType;
        switch (type) {
            case COUNTER:
                textSuffix = e.untyped() ? "" : "_total";
                textType = e.untyped() ? "untyped" : "counter";
                omType = e.untyped() ? "unknown" : "counter";
                break;
            case GAUGE:
                textSuffix = "";
                textType = "gauge";
                omType = "gauge";
                break;
            case INFO:
                textSuffix = "_info";
                textType = "gauge";
                omType = "info";
                break;
            case HISTOGRAM:
                textSuffix = "";
                textType = "histogram";
                omType = "histogram";
                break;
            default:
                textSuffix = "";
                textType = "summary";
                omType = "summary";
                break;
        }
        if (openMetrics) {
            out.write("# TYPE ");
            out.write(name);
            out.write(' ');
            out.write(omType);
            out.write('\n');
            if (help != null) {
                out.write("# HELP ");
                out.write(name);
                out.write(' ');
                out.writeEscapedLabelValue(help);
                out.write('\n');
            }
        } else {
            if (help != null) {
                out.write("# HELP ");
                out.write(name);
                out.write(textSuffix);
                out.write(' ');
                out.writeEscapedHelp(help);
                out.write('\n');
            }
            out.write("# TYPE ");
            out.write(name);
            out.write(textSuffix);
            out.write(' ');
            out.write(textType);
            out.write('\n');
        }
    }

    private void classicHistogram(Utf8Sink out, String name, LabelSet labels) throws IOException {
        double[] bounds = p.bounds();
        long[] counts = p.counts();
        Exemplar[] ex = p.bucketExemplars();
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            double upper = i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY;
            cumulative += p.zeroHeld() ? 0 : counts[i];
            bucket(out, name, labels, upper, cumulative);
            if (openMetrics && ex != null) {
                double lower = i == 0 ? Double.NEGATIVE_INFINITY : bounds[i - 1];
                exemplar(out, pick(ex, lower, upper));
            }
            out.write('\n');
        }
        countAndSum(out, name, labels, cumulative, p.sum(), true);
        created(out, name, labels);
    }

    /** A native histogram has no classic buckets: client_java writes one +Inf bucket of its count. */
    private void nativeHistogram(Utf8Sink out, String name, LabelSet labels) throws IOException {
        long count = p.nativeCount();
        bucket(out, name, labels, Double.POSITIVE_INFINITY, count);
        if (openMetrics && p.exemplars() != null) {
            exemplar(out, pick(p.exemplars(), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
        }
        out.write('\n');
        countAndSum(out, name, labels, count, p.sum(), true);
        created(out, name, labels);
    }

    private void summary(Utf8Sink out, String name, LabelSet labels) throws IOException {
        for (Quantile q : p.quantiles()) {
            sampleStart(out, name, null, labels);
            if (labels.size() > 0) {
                out.write(',');
            }
            out.write("quantile=\"");
            out.writeDouble(q.getQuantile());
            out.write("\"} ");
            out.writeDouble(q.getValue());
            out.write('\n');
        }
        countAndSum(out, name, labels, p.count(), p.sum(), false);
        created(out, name, labels);
    }

    /** OpenMetrics writes a histogram's _count and _sum both or neither; a summary's each if present. */
    private void countAndSum(Utf8Sink out, String name, LabelSet labels, long count, double sum, boolean histogram)
            throws IOException {
        boolean hasSum = !Double.isNaN(sum);
        if (openMetrics && histogram && !hasSum) {
            return;
        }
        sample(out, name, "_count", labels);
        out.writeLong(count);
        out.write('\n');
        if (hasSum) {
            sample(out, name, "_sum", labels);
            out.writeDouble(sum);
            out.write('\n');
        }
    }

    private void created(Utf8Sink out, String name, LabelSet labels) throws IOException {
        if (openMetrics && p.createdMillis() != 0) {
            sample(out, name, "_created", labels);
            out.writeOpenMetricsTimestamp(p.createdMillis());
            out.write('\n');
        }
    }

    private static void bucket(Utf8Sink out, String name, LabelSet labels, double upper, long cumulative)
            throws IOException {
        sampleStart(out, name, "_bucket", labels);
        if (labels.size() > 0) {
            out.write(',');
        }
        out.write("le=\"");
        out.writeDouble(upper);
        out.write("\"} ");
        out.writeLong(cumulative);
    }

    /** Name, suffix and labels, then the space before the value. */
    private static void sample(Utf8Sink out, String name, String suffix, LabelSet labels) throws IOException {
        out.write(name);
        if (suffix != null) {
            out.write(suffix);
        }
        if (labels.size() > 0) {
            out.write('{');
            labels(out, labels);
            out.write('}');
        }
        out.write(' ');
    }

    /** Name, suffix, '{' and labels, without the closing brace: an extra label follows. */
    private static void sampleStart(Utf8Sink out, String name, String suffix, LabelSet labels) throws IOException {
        out.write(name);
        if (suffix != null) {
            out.write(suffix);
        }
        out.write('{');
        labels(out, labels);
    }

    private static void labels(Utf8Sink out, LabelSet labels) throws IOException {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(labels.name(i));
            out.write("=\"");
            out.writeEscapedLabelValue(labels.value(i));
            out.write('"');
        }
    }

    private static void exemplar(Utf8Sink out, Exemplar e) throws IOException {
        if (e == null) {
            return;
        }
        out.write(" # {");
        Labels l = e.getLabels();
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(l.getPrometheusName(i));
            out.write("=\"");
            out.writeEscapedLabelValue(l.getValue(i));
            out.write('"');
        }
        out.write("} ");
        out.writeDouble(e.getValue());
        if (e.hasTimestamp()) {
            out.write(' ');
            out.writeOpenMetricsTimestamp(e.getTimestampMillis());
        }
    }

    /** client_java's Exemplars.get(lower, upper): the first in range, or a later one with a newer timestamp. */
    static Exemplar pick(Exemplar[] list, double lower, double upper) {
        Exemplar result = null;
        for (Exemplar e : list) {
            if (e == null) {
                continue;
            }
            double v = e.getValue();
            if (v > lower && v <= upper) {
                if (result == null) {
                    result = e;
                } else if (result.hasTimestamp() && e.hasTimestamp()
                        && e.getTimestampMillis() > result.getTimestampMillis()) {
                    result = e;
                }
            }
        }
        return result;
    }

    /** client_java's Labels order (names, then values, element by element); names are undotted here. */
    static int compare(LabelSet a, LabelSet b) {
        int c = compareNames(a, b);
        return c != 0 ? c : compareValues(a, b);
    }

    private static int compareNames(LabelSet a, LabelSet b) {
        for (int i = 0; i < a.size(); i++) {
            if (b.size() <= i) {
                return 1;
            }
            int c = a.name(i).compareTo(b.name(i));
            if (c != 0) {
                return c;
            }
        }
        return b.size() > a.size() ? -1 : 0;
    }

    private static int compareValues(LabelSet a, LabelSet b) {
        for (int i = 0; i < a.size(); i++) {
            if (b.size() <= i) {
                return 1;
            }
            int c = a.value(i).compareTo(b.value(i));
            if (c != 0) {
                return c;
            }
        }
        return b.size() > a.size() ? -1 : 0;
    }
}
