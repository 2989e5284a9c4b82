package dev.odin.events;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.loki.MappedLogs;
import dev.odin.loki.wire.EntryAdapter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded event sink: JSON lines under {@code <data-dir>/events}, one file a day
 * ({@code events-2026-11-22.jsonl}), a new numbered file when one reaches its size limit
 * ({@code events-2026-11-22.1.jsonl}), and files older than the retention deleted. Dates are UTC.
 * A write returns once the lines are handed to the operating system, so a crash of ODIN loses
 * nothing it acknowledged.
 */
public final class EventFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventFiles.class);
    private static final Pattern NAME = Pattern.compile("events-(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d+))?\\.jsonl");

    private final Path dir;
    private final long maxFileBytes;
    private final int retentionDays;
    private final Clock clock;

    private LocalDate day;
    private int part;
    private Path current;
    private CountingStream counting;
    private BufferedWriter writer;
    private JsonGenerator json;

    /** Where the files are written. */
    public Path directory() {
        return dir;
    }

    public EventFiles(Path dir, long maxFileBytes, int retentionDays, Clock clock) throws IOException {
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.retentionDays = retentionDays;
        this.clock = clock;
        Files.createDirectories(dir);
    }

    /** @return the number of records written */
    public synchronized int write(MappedLogs logs) throws IOException {
        int n = 0;
        for (MappedLogs.Stream s : logs.streams()) {
            for (EntryAdapter e : s.entries()) {
                ensureFile();
                EventJson.write(json, s.labels(), e, Map.of());
                n++;
            }
        }
        if (json != null) {
            json.flush();
            writer.flush();
        }
        return n;
    }

    public synchronized Path currentFile() {
        return current;
    }

    private void ensureFile() throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (writer != null && today.equals(day) && counting.count < maxFileBytes) {
            return;
        }
        if (json != null) {
            json.flush();
        }
        if (writer != null) {
            writer.close();
        }
        if (!today.equals(day)) {
            day = today;
            part = highestPart(today);
            deleteExpired(today);
        } else {
            part++;
        }
        current = dir.resolve("events-" + day + (part == 0 ? "" : "." + part) + ".jsonl");
        long existing = Files.exists(current) ? Files.size(current) : 0;
        if (existing >= maxFileBytes) {
            part++;
            current = dir.resolve("events-" + day + "." + part + ".jsonl");
            existing = 0;
        }
        counting = new CountingStream(Files.newOutputStream(current, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND), existing);
        writer = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 64 * 1024);
        json = EventJson.generator(writer);
    }

    private int highestPart(LocalDate date) throws IOException {
        int highest = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(date.toString()) && m.group(2) != null) {
                    highest = Math.max(highest, Integer.parseInt(m.group(2)));
                }
            }
        }
        return highest;
    }

    /** Deletes files whose day is more than retentionDays before today. */
    public synchronized void deleteExpired(LocalDate today) throws IOException {
        LocalDate oldestKept = today.minusDays(retentionDays - 1L);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && LocalDate.parse(m.group(1)).isBefore(oldestKept)) {
                    Files.deleteIfExists(p);
                    log.info("deleted event file {} (older than {} days)", p.getFileName(), retentionDays);
                }
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (json != null) {
            json.close();
        }
        if (writer != null) {
            writer.close();
        }
    }

    /** Counts bytes so rotation by size needs no stat call per write. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out, long start) {
            this.out = out;
            this.count = start;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
