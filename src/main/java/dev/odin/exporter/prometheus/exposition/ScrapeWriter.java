package dev.odin.exporter.prometheus.exposition;

import com.google.protobuf.CodedOutputStream;
import dev.odin.series.SeriesCollector;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One scrape, streamed: the registry's other metrics (Micrometer's odin_* and JVM meters, a few
 * hundred) go through client_java's writers family by family, the series store's families are
 * written straight from their series, by {@link FamilyWriter} (text, OpenMetrics) or
 * {@link ProtobufFamilyWriter} (protobuf), merged in Prometheus-name order as client_java's
 * MetricSnapshots orders a whole scrape. The bytes are those client_java would write for the same
 * content, except that families of more than {@link FamilyWriter#SORTED_UP_TO} series are not
 * sorted by labels. Memory: a 64 KiB buffer, the protobuf writer's fixed values of one family
 * (a few words a series), plus one family at a time for what goes through client_java (the other
 * meters; a store family that needs it).
 */
public final class ScrapeWriter {

    /** The three exposition formats of {@code /metrics}. */
    public enum Format { TEXT, OPENMETRICS, PROTOBUF }

    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final SeriesCollector collector;
    private final PrometheusRegistry registry;
    private final ExpositionFormatWriter text;
    private final ExpositionFormatWriter openMetrics;
    private final ExpositionFormatWriter protobuf;
    private final boolean textCreated;

    /**
     * @param textCreated the text writer appends {@code _created} series after all families
     *     (exporter property includeCreatedTimestamps): text scrapes then go through client_java whole
     */
    public ScrapeWriter(SeriesCollector collector, PrometheusRegistry registry, ExpositionFormatWriter text,
            ExpositionFormatWriter openMetrics, ExpositionFormatWriter protobuf, boolean textCreated) {
        this.collector = collector;
        this.registry = registry;
        this.text = text;
        this.openMetrics = openMetrics;
        this.protobuf = protobuf;
        this.textCreated = textCreated;
    }

    /**
     * @param included Prometheus names to include (the {@code includedNames} query parameter); null: all
     * @throws IOException from the stream (a client gone): the scrape is abandoned
     */
    public void write(Format format, Predicate<String> included, OutputStream out) throws IOException {
        ExpositionFormatWriter library = library(format);
        if (format == Format.TEXT && textCreated) {
            library.write(out, included == null ? registry.scrape() : registry.scrape(included));
            out.flush();
            return;
        }
        List<SeriesCollector.Exposed> families = collector.exposed(included);
        Set<String> storeNames = new HashSet<>(families.size() * 2);
        for (SeriesCollector.Exposed e : families) {
            storeNames.add(e.prometheusName());
        }
        // the registry's scrape without the store's families: the SeriesCollector builds none
        MetricSnapshots others = registry.scrape(
                name -> !storeNames.contains(name) && (included == null || included.test(name)));
        boolean proto = format == Format.PROTOBUF;
        Utf8Sink sink = proto ? null : new Utf8Sink(out);
        CodedOutputStream pb = proto ? CodedOutputStream.newInstance(out, Utf8Sink.BUFFER) : null;
        Raw raw = proto ? pb::writeRawBytes : sink::write;
        ByteArrayOutputStream family = new ByteArrayOutputStream(8 * 1024);
        FamilyWriter streaming = proto ? null : new FamilyWriter(format == Format.OPENMETRICS);
        ProtobufFamilyWriter protobufStreaming = proto ? new ProtobufFamilyWriter() : null;
        long now = collector.nowMillis();
        int i = 0;
        int j = 0;
        List<MetricSnapshot> other = others.stream().toList();
        while (i < other.size() || j < families.size()) {
            boolean takeOther = j >= families.size() || (i < other.size()
                    && other.get(i).getMetadata().getPrometheusName().compareTo(families.get(j).prometheusName()) < 0);
            if (takeOther) {
                writeLibrary(library, format, other.get(i++), family, raw);
                continue;
            }
            SeriesCollector.Exposed e = families.get(j++);
            if (streaming != null && streaming.write(e, sink, now)) {
                continue;
            }
            if (protobufStreaming != null) {
                ProtobufFamilyWriter.Outcome outcome = protobufStreaming.write(e, pb, now);
                if (outcome == ProtobufFamilyWriter.Outcome.WRITTEN) {
                    continue;
                }
                if (outcome == ProtobufFamilyWriter.Outcome.TOO_LARGE) {
                    collector.dropped(e, new IllegalStateException("the family is over 2 GiB, more than one "
                            + "protobuf message holds"));
                    continue;
                }
            }
            MetricSnapshot snapshot;
            try {
                snapshot = collector.snapshot(e);
                if (snapshot == null) {
                    continue;
                }
                writeLibrary(library, format, snapshot, family, raw);
            } catch (RuntimeException failed) {
                collector.dropped(e, failed);
            }
        }
        if (proto) {
            pb.flush();
            out.flush();
            return;
        }
        if (format == Format.OPENMETRICS) {
            sink.write(EOF, 0, EOF.length);
        }
        sink.flush();
    }

    /** Where client_java's bytes go: the text sink or the protobuf stream (both buffered). */
    @FunctionalInterface
    private interface Raw {
        void write(byte[] bytes, int off, int len) throws IOException;
    }

    /** One family through client_java, whole or not at all (it is written to a buffer first). */
    private static void writeLibrary(ExpositionFormatWriter library, Format format, MetricSnapshot snapshot,
            ByteArrayOutputStream buffer, Raw out) throws IOException {
        buffer.reset();
        library.write(buffer, MetricSnapshots.of(snapshot));
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length;
        if (format == Format.OPENMETRICS) {
            length -= EOF.length; // each write ends the exposition; only the scrape's last does
        }
        out.write(bytes, 0, length);
    }

    private ExpositionFormatWriter library(Format format) {
        switch (format) {
            case OPENMETRICS:
                return openMetrics;
            case PROTOBUF:
                return protobuf;
            default:
                return text;
        }
    }
}
