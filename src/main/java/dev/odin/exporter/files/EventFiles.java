package dev.odin.exporter.files;

import dev.odin.events.EventJson;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.exporter.loki.MappedLogs;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded event sink: JSON Lines under {@code <data-dir>/events} (each line one object,
 * starting with '{'), one file per UTC day of the events' own timestamps
 * ({@code events-2026-11-22.jsonl}; the record's time, its observed time when that is 0, its
 * arrival when both are), a new numbered file when one reaches its size limit
 * ({@code events-2026-11-22.1.jsonl}), and files older than the retention deleted. An event
 * whose day is before the oldest kept day (it would be deleted at once) or more than one day
 * after the arrival day (a wrong clock; it would outlive the retention) goes to the arrival
 * day's file with its own timestamp, counted in {@link #filedByArrival()}.
 * A write returns once the lines are handed to the operating system, so a crash of ODIN loses
 * nothing it acknowledged. A write that fails (a full disk) is taken back: every file it touched
 * is cut back to its size before it, so a request is either written whole or not at all.
 */
public final class EventFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventFiles.class);
    private static final Pattern NAME = Pattern.compile("events-(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d+))?\\.jsonl");
    /** How many days after the arrival day an event's own day may be and still name its file. */
    static final int MAX_DAYS_AHEAD = 1;

    private final Path dir;
    private final long maxFileBytes;
    private final int retentionDays;
    private final Clock clock;
    private final FiledByArrival filedByArrival = new FiledByArrival();

    /** The arrival day files were last expired for. */
    private LocalDate expiredFor;
    /** The open file: its day, number, path and writers (one file open at a time). */
    private LocalDate day;
    private int part;
    private Path current;
    private CountingStream counting;
    private BufferedWriter writer;
    private JsonGenerator json;

    /** Events written to the arrival day's file because their own day was out of range. */
    public static final class FiledByArrival {
        /** Before the oldest day the retention keeps. */
        public final LongAdder tooOld = new LongAdder();
        /** More than {@link #MAX_DAYS_AHEAD} day after the arrival day. */
        public final LongAdder tooFarAhead = new LongAdder();
    }

    /** Where the files are written. */
    public Path directory() {
        return dir;
    }

    public FiledByArrival filedByArrival() {
        return filedByArrival;
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

    private record Event(Map<String, String> labels, EntryAdapter entry) {
    }

    /**
     * @return the number of records written
     * @throws IOException when they could not all be written; then none of them is in the files
     */
    public synchronized int write(MappedLogs logs) throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate oldestKept = today.minusDays(retentionDays - 1L);
        LocalDate newest = today.plusDays(MAX_DAYS_AHEAD);
        Map<LocalDate, List<Event>> byDay = new TreeMap<>();
        long tooOld = 0;
        long tooFarAhead = 0;
        for (MappedLogs.Stream s : logs.streams()) {
            for (EntryAdapter e : s.entries()) {
                LocalDate d = LocalDate.ofInstant(Instant.ofEpochSecond(e.getTimestamp().getSeconds()), ZoneOffset.UTC);
                if (d.isBefore(oldestKept)) {
                    tooOld++;
                    d = today;
                } else if (d.isAfter(newest)) {
                    tooFarAhead++;
                    d = today;
                }
                byDay.computeIfAbsent(d, k -> new ArrayList<>()).add(new Event(s.labels(), e));
            }
        }
        List<Mark> marks = new ArrayList<>(byDay.size());
        int n = 0;
        try {
            if (!today.equals(expiredFor)) {
                deleteExpired(today);
                expiredFor = today;
            }
            // the arrival day last, so its file (where most events go) stays open for the next write
            List<Event> arrivalDay = byDay.remove(today);
            for (Map.Entry<LocalDate, List<Event>> d : byDay.entrySet()) {
                n += write(d.getKey(), d.getValue(), marks);
            }
            if (arrivalDay != null) {
                n += write(today, arrivalDay, marks);
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
        filedByArrival.tooOld.add(tooOld);
        filedByArrival.tooFarAhead.add(tooFarAhead);
        return n;
    }

    private int write(LocalDate d, List<Event> events, List<Mark> marks) throws IOException {
        for (Event e : events) {
            ensureFile(d, marks);
            EventJson.write(json, e.labels(), e.entry(), Map.of());
        }
        return events.size();
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

    /** The file the last write ended in. */
    public synchronized Path currentFile() {
        return current;
    }

    /** Makes the open file the one for events of day d, below the size limit. */
    private void ensureFile(LocalDate d, List<Mark> marks) throws IOException {
        if (writer != null && d.equals(day) && counting.count < maxFileBytes) {
            if (marks.stream().noneMatch(m -> m.file().equals(current))) {
                marks.add(new Mark(current, counting.count)); // everything before is flushed
            }
            return;
        }
        boolean full = writer != null && d.equals(day);
        // writer == null and the same day: the same file again, after a failed write
        if (json != null) {
            json.flush();
        }
        if (writer != null) {
            writer.close();
        }
        counting = null;
        writer = null;
        json = null;
        if (!d.equals(day)) {
            day = d;
            part = highestPart(d);
        } else if (full) {
            part++;
        }
        current = file(day, part);
        long existing = Files.exists(current) ? Files.size(current) : 0;
        while (existing >= maxFileBytes) {
            part++;
            current = file(day, part);
            existing = Files.exists(current) ? Files.size(current) : 0;
        }
        OutputStream out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (marks.stream().noneMatch(m -> m.file().equals(current))) {
            marks.add(new Mark(current, existing));
        }
        counting = new CountingStream(out, existing);
        writer = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 64 * 1024);
        json = EventJson.generator(writer);
    }

    private Path file(LocalDate d, int number) {
        return dir.resolve("events-" + d + (number == 0 ? "" : "." + number) + ".jsonl");
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
