package dev.odin.exporter.remotewrite;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.odin.remotewrite.wire.v1.Label;
import dev.odin.remotewrite.wire.v1.MetricMetadata;
import dev.odin.remotewrite.wire.v1.TimeSeries;
import dev.odin.remotewrite.wire.v1.WriteRequest;
import dev.odin.remotewrite.wire.v2.Histogram;
import dev.odin.remotewrite.wire.v2.Metadata;
import dev.odin.remotewrite.wire.v2.Request;
import dev.odin.remotewrite.wire.v2.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A 1.0 write request as the same data in 2.0 form: every string (label names and values, help
 * texts) once in the symbols table (symbols[0] is ""), each series with its own metadata (type,
 * help) looked up by its family: the series name itself, or without the sample suffix that
 * {@link SnapshotEncoder} gave it ({@code _bucket}, {@code _sum}, {@code _count}, {@code _total},
 * {@code _info}). The queue holds 1.0 requests, so that a receiver found to take only 1.0 gets
 * the queued data unchanged.
 */
final class WireV2 {

    private static final List<String> SUFFIXES = List.of("_bucket", "_sum", "_count", "_total", "_info");

    private WireV2() {
    }

    static Request fromV1(WriteRequest v1) throws InvalidProtocolBufferException {
        Map<String, MetricMetadata> families = new HashMap<>();
        for (MetricMetadata m : v1.getMetadataList()) {
            families.put(m.getMetricFamilyName(), m);
        }
        Symbols symbols = new Symbols();
        Request.Builder out = Request.newBuilder();
        for (TimeSeries ts : v1.getTimeseriesList()) {
            dev.odin.remotewrite.wire.v2.TimeSeries.Builder s = dev.odin.remotewrite.wire.v2.TimeSeries.newBuilder();
            String name = "";
            for (Label l : ts.getLabelsList()) {
                s.addLabelsRefs(symbols.ref(l.getName()));
                s.addLabelsRefs(symbols.ref(l.getValue()));
                if (l.getName().equals("__name__")) {
                    name = l.getValue();
                }
            }
            for (dev.odin.remotewrite.wire.v1.Sample sample : ts.getSamplesList()) {
                s.addSamples(Sample.newBuilder().setValue(sample.getValue()).setTimestamp(sample.getTimestamp()));
            }
            for (dev.odin.remotewrite.wire.v1.Histogram h : ts.getHistogramsList()) {
                // the two Histogram messages have the same fields and numbers: the bytes are the same
                s.addHistograms(Histogram.parseFrom(h.toByteString()));
            }
            MetricMetadata m = family(families, name);
            if (m != null) {
                s.setMetadata(Metadata.newBuilder().setTypeValue(m.getTypeValue())
                        .setHelpRef(symbols.ref(m.getHelp())).setUnitRef(symbols.ref(m.getUnit())));
            }
            out.addTimeseries(s);
        }
        return out.addAllSymbols(symbols.list).build();
    }

    private static MetricMetadata family(Map<String, MetricMetadata> families, String name) {
        MetricMetadata m = families.get(name);
        if (m != null) {
            return m;
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix)) {
                m = families.get(name.substring(0, name.length() - suffix.length()));
                if (m != null) {
                    return m;
                }
            }
        }
        return null;
    }

    /** The symbols table: each string once, "" first. */
    private static final class Symbols {
        final java.util.ArrayList<String> list = new java.util.ArrayList<>();
        final Map<String, Integer> refs = new HashMap<>();

        Symbols() {
            ref("");
        }

        int ref(String s) {
            Integer r = refs.get(s);
            if (r == null) {
                r = list.size();
                refs.put(s, r);
                list.add(s);
            }
            return r;
        }
    }
}
