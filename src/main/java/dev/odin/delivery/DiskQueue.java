package dev.odin.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable FIFO of byte records in segment files: what the Loki sender has yet to deliver.
 *
 * <p>Appends are made durable with group commit: a writer waits until a force() that happened
 * after its write, and one force() covers every writer that wrote before it, so durability costs
 * one disk sync per burst, not per record. The reader peeks records from its cursor and moves the
 * cursor on by {@link #ack} once they are delivered; the cursor is saved to disk, so a restart
 * replays from the last acknowledged record (delivery is at least once). Segments the cursor has
 * passed are deleted. The total size is bounded: past it the oldest segment is dropped (counted),
 * or, if so configured, the append is refused.
 *
 * <p>Record layout: int payload length, int CRC32C of the rest, long enqueue time (ms), byte type,
 * int item count (log records in the payload), payload; depths are counted in items. A torn
 * record at the end of the last segment (a crash mid-write) is cut off on start.
 *
 * <p>A write that fails (a full disk: ENOSPC, or any I/O error) leaves the queue as it was: a
 * record written in part is cut off again at once, and when a sync fails, every record it was
 * to make durable is taken back and its writer told so. Readers see only records that are
 * durable, so nothing a client was refused is ever delivered. When the cursor cannot be saved,
 * the queue goes on in memory ({@link #cursorUnsaved()}) and the segments already delivered are
 * still deleted (which is what frees the disk); {@link #saveCursor()} retries it.
 */
public final class DiskQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiskQueue.class);
    private static final int HEADER = 4 + 4 + 8 + 1 + 4;
    private static final String SUFFIX = ".seg";
    private static final int PENDING = 0;
    private static final int DURABLE = 1;
    private static final int FAILED = 2;

    /** Opens the files the queue writes (segments, cursor); tests put failing channels here. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException;
    }

    /** One appended record, until a sync makes it durable or its failure takes it back. */
    private static final class Write {
        final int size;
        final int items;
        final int payloadBytes;
        final long end; // the active segment's size just after it
        volatile int state = PENDING;
        volatile IOException failure;

        Write(int size, int items, int payloadBytes, long end) {
            this.size = size;
            this.items = items;
            this.payloadBytes = payloadBytes;
            this.end = end;
        }
    }

    /** One record as read back. {@code next} is the cursor position just after it. */
    public record Record(long segment, long next, long enqueuedMillis, byte type, int items, byte[] payload) {
    }

    private static final class Segment {
        final long id;
        final Path path;
        long size;
        long durable; // bytes a sync has covered: what readers may see
        int records; // log records (items), not queue records

        Segment(long id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final boolean dropOldest;
    private final Clock clock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final Object syncLock = new Object();
    private final Opener opener;
    private final java.util.ArrayDeque<Write> unforced = new java.util.ArrayDeque<>();

    private Segment active;
    private FileChannel activeChannel;
    private long totalBytes;
    private boolean cursorUnsaved;

    // reader state (the cursor) and what is still to deliver
    private long cursorSegment;
    private long cursorOffset;
    private long pendingRecords;
    private long pendingBytes;
    private long droppedRecords;
    private FileChannel readChannel;
    private long readChannelSegment = -1;

    public DiskQueue(Path dir, long maxBytes, boolean dropOldest, Clock clock) throws IOException {
        this(dir, maxBytes, dropOldest, clock, FileChannel::open);
    }

    DiskQueue(Path dir, long maxBytes, boolean dropOldest, Clock clock, Opener opener) throws IOException {
        this.opener = opener;
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(64 * 1024, Math.min(16L * 1024 * 1024, maxBytes / 8));
        this.dropOldest = dropOldest;
        this.clock = clock;
        Files.createDirectories(dir);
        recover();
    }

    private void recover() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    long id = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                    segments.put(id, new Segment(id, p));
                }
            }
        }
        for (Segment s : segments.values()) {
            scan(s, s == segments.lastEntry().getValue());
            totalBytes += s.size;
        }
        readCursor();
        // count what is still to deliver
        for (Segment s : segments.values()) {
            if (s.id < cursorSegment) {
                continue;
            }
            long from = s.id == cursorSegment ? cursorOffset : 0;
            try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
                long pos = from;
                while (pos < s.size) {
                    int len = readHeaderLength(ch, pos);
                    pendingRecords += readItems(ch, pos);
                    pendingBytes += len;
                    pos += HEADER + len;
                }
            }
        }
        long nextId = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        openNewSegment(nextId);
        if (segments.firstKey() > cursorSegment || (cursorSegment == 0)) {
            cursorSegment = segments.firstKey();
            cursorOffset = 0;
        }
        deleteConsumedSegments();
        if (pendingRecords > 0) {
            log.info("Loki queue: {} records ({} bytes) waiting from before the restart", pendingRecords, pendingBytes);
        }
    }

    /** Validates records; cuts a torn tail off the last segment. */
    private void scan(Segment s, boolean last) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            while (pos + HEADER <= size) {
                ByteBuffer h = ByteBuffer.allocate(HEADER);
                ch.read(h, pos);
                h.flip();
                int len = h.getInt();
                int crc = h.getInt();
                if (len < 0 || pos + HEADER + len > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(HEADER - 8 + len);
                ch.read(body, pos + 8);
                if (crc(body.array()) != crc) {
                    break;
                }
                s.records += ByteBuffer.wrap(body.array(), 9, 4).getInt();
                pos += HEADER + len;
            }
            if (pos < size) {
                log.warn("Loki queue segment {}: {} bytes after the last whole record cut off ({})", s.path,
                        size - pos, last ? "a write was interrupted" : "damaged");
                ch.truncate(pos);
            }
            s.size = pos;
            s.durable = pos;
        }
    }

    private static int readHeaderLength(FileChannel ch, long pos) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(4);
        ch.read(h, pos);
        h.flip();
        return h.getInt();
    }

    private static int readItems(FileChannel ch, long pos) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(4);
        ch.read(h, pos + HEADER - 4);
        h.flip();
        return h.getInt();
    }

    private static int crc(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, bytes.length);
        return (int) c.getValue();
    }

    private void openNewSegment(long id) throws IOException {
        Path p = dir.resolve(String.format("%020d%s", id, SUFFIX));
        Segment s = new Segment(id, p);
        activeChannel = opener.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segments.put(id, s);
        active = s;
    }

    /**
     * Appends one record and returns once it is on disk.
     *
     * @throws QueueFullException when the bound is reached and dropping is off
     */
    public void append(byte type, int items, byte[] payload) throws IOException {
        Write w;
        synchronized (this) {
            int size = HEADER + payload.length;
            makeRoom(size);
            if (activeChannel == null) {
                openNewSegment(active.id + 1); // the last one was given up after a failed write
            } else if (active.size > 0 && active.size + size > segmentBytes) {
                roll();
            }
            ByteBuffer buf = ByteBuffer.allocate(size);
            buf.putInt(payload.length).putInt(0).putLong(clock.millis()).put(type).putInt(items).put(payload);
            int crc = crc(java.util.Arrays.copyOfRange(buf.array(), 8, size));
            buf.putInt(4, crc);
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    activeChannel.write(buf);
                }
            } catch (IOException e) {
                // a record written in part must not stay in front of the next one
                if (!cutBack(active.size)) {
                    try {
                        activeChannel.force(false);
                        markDurable();
                    } catch (IOException f) {
                        takeBack(f);
                    }
                    giveUp();
                }
                throw e;
            }
            active.size += size;
            active.records += items;
            totalBytes += size;
            pendingRecords += items;
            pendingBytes += payload.length;
            w = new Write(size, items, payload.length, active.size);
            unforced.addLast(w);
        }
        awaitDurable(w);
    }

    /**
     * Group commit: one force() makes every record written before it durable. When it fails,
     * every record it was to cover is taken back (their writers get the exception): whether they
     * reached the disk is unknown, and a client that was refused will send them again.
     */
    private void awaitDurable(Write w) throws IOException {
        synchronized (syncLock) {
            if (settled(w)) {
                return;
            }
            int count;
            FileChannel ch;
            synchronized (this) {
                count = unforced.size();
                ch = activeChannel;
            }
            if (ch == null) { // given up, and every pending write settled with it
                if (settled(w)) {
                    return;
                }
                throw new IOException("the Loki queue segment was given up after a failed write");
            }
            try {
                ch.force(false);
            } catch (IOException e) {
                synchronized (this) {
                    if (ch == activeChannel && w.state == PENDING) {
                        discardUnforced(e);
                    }
                }
                if (settled(w)) {
                    return;
                }
                throw e;
            }
            synchronized (this) {
                if (ch == activeChannel) { // else a roll has settled them
                    for (int i = 0; i < count && !unforced.isEmpty(); i++) {
                        Write done = unforced.removeFirst();
                        done.state = DURABLE;
                        active.durable = done.end;
                    }
                }
            }
            settled(w);
        }
    }

    /** True when durable; throws its failure when taken back; false while pending. */
    private static boolean settled(Write w) throws IOException {
        if (w.state == DURABLE) {
            return true;
        }
        if (w.state == FAILED) {
            IOException e = new IOException(w.failure.getMessage(), w.failure);
            throw e;
        }
        return false;
    }

    /** A sync failed: the records after the last durable point are taken back. */
    private void discardUnforced(IOException cause) {
        takeBack(cause);
        if (!cutBack(active.durable)) {
            giveUp();
        }
    }

    /** The records no sync has covered yet are durable now (a force() of their segment worked). */
    private void markDurable() {
        for (Write u : unforced) {
            u.state = DURABLE;
        }
        unforced.clear();
        active.durable = active.size;
    }

    /** The records no sync has covered are taken back from the counts; their writers get the failure. */
    private void takeBack(IOException cause) {
        long items = 0;
        long bytes = 0;
        long payload = 0;
        for (Write u : unforced) {
            items += u.items;
            bytes += u.size;
            payload += u.payloadBytes;
            u.failure = cause;
            u.state = FAILED;
        }
        unforced.clear();
        active.records -= (int) items;
        active.size -= bytes;
        totalBytes -= bytes;
        pendingRecords -= items;
        pendingBytes -= payload;
    }

    /** Cuts the active segment's file back to {@code size}; false when even that fails. */
    private boolean cutBack(long size) {
        try {
            activeChannel.truncate(size);
            return true;
        } catch (IOException e) {
            log.warn("Loki queue segment {}: cannot cut a failed write off ({}); starting a new segment",
                    active.path, e.getMessage());
            return false;
        }
    }

    /**
     * The active segment is given up (its file cannot be cut back): readers stop at its last good
     * record, a restart cuts the rest off, and the next append starts a new segment.
     */
    private void giveUp() {
        try {
            activeChannel.close();
        } catch (IOException ignored) {
            // given up either way
        }
        activeChannel = null;
    }

    private void roll() throws IOException {
        try {
            activeChannel.force(false); // earlier records stay durable when the next segment is forced
        } catch (IOException e) {
            discardUnforced(e);
            throw e;
        }
        markDurable();
        activeChannel.close();
        activeChannel = null;
        openNewSegment(active.id + 1);
    }

    private void makeRoom(int size) throws IOException {
        while (totalBytes + size > maxBytes) {
            if (!dropOldest) {
                throw new QueueFullException("the Loki queue holds " + totalBytes + " bytes, its limit is " + maxBytes
                        + "; retry later");
            }
            Segment oldest = segments.firstEntry().getValue();
            if (oldest == active) {
                if (active.size == 0) {
                    return; // a single record larger than the bound: let it through rather than loop
                }
                if (activeChannel == null) {
                    openNewSegment(active.id + 1);
                } else {
                    roll();
                }
            }
            dropSegment(oldest);
        }
    }

    private void dropSegment(Segment s) throws IOException {
        long dropped = s.records; // items
        long droppedBytes = s.size - (long) HEADER * recordCount(s);
        if (s.id == cursorSegment && cursorOffset > 0) {
            // part of it was delivered already: count only the rest
            long delivered = 0;
            long deliveredBytes = 0;
            try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
                long pos = 0;
                while (pos < cursorOffset) {
                    int len = readHeaderLength(ch, pos);
                    delivered += readItems(ch, pos);
                    deliveredBytes += len;
                    pos += HEADER + len;
                }
            }
            dropped -= delivered;
            droppedBytes -= deliveredBytes;
        }
        if (s.id >= cursorSegment) {
            pendingRecords -= dropped;
            pendingBytes -= droppedBytes;
            droppedRecords += dropped;
            log.warn("Loki queue full: dropped {} undelivered records (the oldest)", dropped);
        }
        segments.remove(s.id);
        totalBytes -= s.size;
        closeReader(s.id);
        Files.deleteIfExists(s.path);
        if (cursorSegment <= s.id) {
            cursorSegment = segments.isEmpty() ? s.id + 1 : segments.firstKey();
            cursorOffset = 0;
        }
    }

    private long recordCount(Segment s) throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
            long pos = 0;
            while (pos < s.size) {
                pos += HEADER + readHeaderLength(ch, pos);
                n++;
            }
        }
        return n;
    }

    /** Records from the cursor on, up to about maxBytes of payload (at least one record). */
    public synchronized List<Record> peek(long maxPayloadBytes, int maxRecords) throws IOException {
        List<Record> out = new ArrayList<>();
        long seg = cursorSegment;
        long pos = cursorOffset;
        long bytes = 0;
        while (out.size() < maxRecords) {
            Segment s = segments.get(seg);
            if (s == null) {
                Map.Entry<Long, Segment> next = segments.higherEntry(seg);
                if (next == null) {
                    break;
                }
                seg = next.getKey();
                pos = 0;
                continue;
            }
            if (pos >= s.durable) {
                if (s == active || pos < s.size) {
                    break; // the rest is not durable yet
                }
                seg = seg + 1;
                pos = 0;
                continue;
            }
            FileChannel ch = reader(s);
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            ch.read(h, pos);
            h.flip();
            int len = h.getInt();
            h.getInt();
            long enqueued = h.getLong();
            byte type = h.get();
            int items = h.getInt();
            if (!out.isEmpty() && bytes + len > maxPayloadBytes) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(len);
            ch.read(body, pos + HEADER);
            pos += HEADER + len;
            bytes += len;
            out.add(new Record(seg, pos, enqueued, type, items, body.array()));
        }
        return out;
    }

    private FileChannel reader(Segment s) throws IOException {
        if (readChannelSegment != s.id) {
            if (readChannel != null) {
                readChannel.close();
            }
            readChannel = FileChannel.open(s.path, StandardOpenOption.READ);
            readChannelSegment = s.id;
        }
        return readChannel;
    }

    private void closeReader(long segment) throws IOException {
        if (readChannelSegment == segment && readChannel != null) {
            readChannel.close();
            readChannel = null;
            readChannelSegment = -1;
        }
    }

    /** Marks everything up to and including these records delivered. */
    public synchronized void ack(List<Record> delivered) throws IOException {
        if (delivered.isEmpty()) {
            return;
        }
        Record last = delivered.get(delivered.size() - 1);
        if (last.segment() < cursorSegment || (last.segment() == cursorSegment && last.next() <= cursorOffset)) {
            return; // dropped while it was being delivered
        }
        for (Record r : delivered) {
            if (r.segment() > cursorSegment || (r.segment() == cursorSegment && r.next() > cursorOffset)) {
                pendingRecords -= r.items();
                pendingBytes -= r.payload().length;
            }
        }
        cursorSegment = last.segment();
        cursorOffset = last.next();
        cursorUnsaved = true;
        // delivered segments go first: on a full disk that is the space the cursor needs, and a
        // restart with the older cursor skips segments that are gone
        deleteConsumedSegments();
        saveCursor();
    }

    /** True while the cursor in memory is ahead of the one on disk (its last write failed). */
    public synchronized boolean cursorUnsaved() {
        return cursorUnsaved;
    }

    /** Writes the cursor if it is unsaved; a failure leaves it unsaved, to be retried. */
    public synchronized void saveCursor() throws IOException {
        if (cursorUnsaved) {
            writeCursor();
            cursorUnsaved = false;
        }
    }

    private void deleteConsumedSegments() throws IOException {
        while (!segments.isEmpty()) {
            Segment first = segments.firstEntry().getValue();
            boolean consumed = first.id < cursorSegment || (first.id == cursorSegment && cursorOffset >= first.size
                    && first != active);
            if (!consumed) {
                break;
            }
            segments.remove(first.id);
            totalBytes -= first.size;
            closeReader(first.id);
            Files.deleteIfExists(first.path);
        }
    }

    private void writeCursor() throws IOException {
        Path tmp = dir.resolve("cursor.tmp");
        try (FileChannel ch = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap((cursorSegment + " " + cursorOffset).getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false); // renamed into place only once it holds the cursor
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void readCursor() throws IOException {
        Path p = dir.resolve("cursor");
        if (Files.exists(p)) {
            String[] parts = Files.readString(p, StandardCharsets.US_ASCII).trim().split(" ");
            try {
                cursorSegment = Long.parseLong(parts[0]);
                if (parts.length != 2) {
                    throw new NumberFormatException("not \"segment offset\": " + String.join(" ", parts));
                }
                cursorOffset = Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                log.warn("Loki queue cursor {} unreadable ({}): delivering from the oldest segment", p, e.getMessage());
                cursorSegment = 0;
                cursorOffset = 0;
            }
            Segment s = segments.get(cursorSegment);
            if (s != null && cursorOffset > s.size) {
                cursorOffset = s.size;
            }
        }
    }

    /** Full: appends are refused now (dropping the oldest is off and the bound is all but reached). */
    /** How full the queue is on disk: 0 empty, 1 at its bound. */
    public synchronized double fill() {
        return (double) totalBytes / maxBytes;
    }

    public synchronized boolean full() {
        return !dropOldest && totalBytes + 64 * 1024 > maxBytes;
    }

    public synchronized long pendingRecords() {
        return pendingRecords;
    }

    public synchronized long pendingBytes() {
        return pendingBytes;
    }

    public synchronized long diskBytes() {
        return totalBytes;
    }

    public synchronized long droppedRecords() {
        return droppedRecords;
    }

    /** Enqueue time of the oldest undelivered record, or -1 when there is none. */
    public synchronized long oldestEnqueuedMillis() throws IOException {
        if (pendingRecords == 0) {
            return -1;
        }
        // only the header: a scrape should not read a payload of hundreds of KB for one timestamp
        long seg = cursorSegment;
        long pos = cursorOffset;
        while (true) {
            Segment s = segments.get(seg);
            if (s == null) {
                Map.Entry<Long, Segment> next = segments.higherEntry(seg);
                if (next == null) {
                    return -1;
                }
                seg = next.getKey();
                pos = 0;
            } else if (pos >= s.durable) {
                if (s == active || pos < s.size) {
                    return -1;
                }
                seg++;
                pos = 0;
            } else {
                ByteBuffer h = ByteBuffer.allocate(8);
                reader(s).read(h, pos + 8);
                h.flip();
                return h.getLong();
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (cursorUnsaved) {
            try {
                saveCursor();
            } catch (IOException e) {
                log.warn("Loki queue: cursor not saved on close ({}); a restart sends some records again",
                        e.getMessage());
            }
        }
        if (activeChannel != null && activeChannel.isOpen()) {
            activeChannel.force(false);
            activeChannel.close();
        }
        if (readChannel != null) {
            readChannel.close();
        }
    }
}
