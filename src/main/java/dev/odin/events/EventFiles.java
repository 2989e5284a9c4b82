package dev.odin.events;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.loki.MappedLogs;
import dev.odin.loki.wire.EntryAdapter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
 * nothing it acknowledged. A write that fails (a full disk) is taken back: every file it touched
 * is cut back to its size before it, so a request is either written whole or not at all.
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

    /** A file a write has touched, and its size before. */
    private record Mark(Path file, long size) {
    }

    /**
     * @return the number of records written
     * @throws IOException when they could not all be written; then none of them is in the files
     */
    public synchronized int write(MappedLogs logs) throws IOException {
        List<Mark> marks = new ArrayList<>(1);
        int n = 0;
        try {
            for (MappedLogs.Stream s : logs.streams()) {
                for (EntryAdapter e : s.entries()) {
                    ensureFile(marks);
                    EventJson.write(json, s.labels(), e, Map.of());
                    n++;
                }
            }
            if (json != null) {
                json.flush();
                writer.flush();
            }
        } catch (IOException e) {
            abandon();
            for (Mark m : marks) {
                cutBack(m, e);
            }
            throw e;
        }
        return n;
    }

    /** The open file dropped without flushing what is buffered: that belongs to the failed write. */
    private void abandon() {
        if (counting != null) {
            try {
                counting.out.close();
            } catch (IOException ignored) {
                // closing a file whose writes failed; it is cut back next
            }
        }
        counting = null;
        writer = null;
        json = null;
    }

    private static void cutBack(Mark m, IOException cause) {
        try {
            if (m.size() == 0) {
                Files.deleteIfExists(m.file());
            } else {
                try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.WRITE)) {
                    ch.truncate(m.size());
                }
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
            log.error("event file {}: cannot cut a failed write off ({}); it may end in a partial line",
                    m.file(), e.getMessage());
        }
    }

    public synchronized Path currentFile() {
        return current;
    }

    private void ensureFile(List<Mark> marks) throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (writer != null && today.equals(day) && counting.count < maxFileBytes) {
            if (marks.isEmpty()) {
                marks.add(new Mark(current, counting.count)); // everything before is flushed
            }
            return;
        }
        boolean reopen = writer == null && today.equals(day); // the same file again, after a failed write
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
        } else if (!reopen) {
            part++;
        }
        current = dir.resolve("events-" + day + (part == 0 ? "" : "." + part) + ".jsonl");
        long existing = Files.exists(current) ? Files.size(current) : 0;
        if (existing >= maxFileBytes) {
            part++;
            current = dir.resolve("events-" + day + "." + part + ".jsonl");
            existing = 0;
        }
        marks.add(new Mark(current, existing));
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
