package dev.odin.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one durable queued-retry sender every push sink uses (Loki, another Loki, the
 * notification channels; later a remote-write or OTLP exporter): entries (payload bytes and
 * headers, see {@link Entry}) are appended to a {@link DiskQueue} and acknowledged to the caller
 * only once on disk; the sender's own thread sends them on in order, in batches of one kind (by
 * size, up to {@link Options#batchBytes}, and age, {@link Options#batchWait}), through a
 * {@link Transport} that answers delivered, retry later or drop permanently.
 *
 * <ul>
 * <li>Retry later: exponential backoff from {@code minBackoff} to {@code maxBackoff} (with jitter
 * if asked), and at least what the remote's Retry-After asks (never more than max-backoff);
 * while retrying, nothing behind the batch goes (order is kept). With {@code maxAttempts} or
 * {@code maxAge} set, a batch that has had its attempts or is that old is dead-lettered
 * ({@code max_attempts}, {@code max_age}); its attempts are kept in {@code attemptsFile}
 * across restarts.
 * <li>Drop permanently: the batch goes to the dead-letter file (formatted by the sink's
 * {@link DeadLetterFormat}, rotated at {@code deadLetterMaxSize}) and is never retried.
 * <li>Every write under the data dir goes through the {@link Guard}: a queue append it refuses
 * propagates to the caller (retry later); a cursor or dead-letter write that fails holds delivery
 * back one min-backoff, and the batch stays queued (or, with {@code keepWhenDeadLetterFails}
 * off, is dropped with an error in the log).
 * </ul>
 *
 * <p>The loop runs every {@code interval} once {@link #start()}ed (the sink's Spring lifecycle),
 * each run sending for at most about a second; {@link #kick()} runs it at once (the channels do
 * on every message), {@link #flush} sends what is left on shutdown. Metrics, tagged
 * {@code sender=<name>}: {@code odin_delivery_queue_records}, {@code odin_delivery_queue_bytes},
 * {@code odin_delivery_sent_total} (items), {@code odin_delivery_retries_total},
 * {@code odin_delivery_dead_lettered_total{reason}} (items), {@code odin_delivery_dropped_total}
 * (items dropped from a full queue); the sink's own metrics come from its {@link Listener}.
 */
public final class QueuedSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueuedSender.class);
    private static final int MAX_LOGGED_CAUSES = 100;

    /** Runs one write under the data dir of kind {@code what}; throws when it failed or was refused. */
    @FunctionalInterface
    public interface Guard {
        void write(String what, IoAction action) throws IOException;

        Guard NONE = (what, action) -> action.run();
    }

    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    /** A batch given up: why, after how many attempts, and the transport's last word. */
    public record DeadLetter(Instant time, String reason, Outcome outcome, int attempts) {
    }

    /** Writes a dead-lettered batch to the dead-letter file (JSON lines, say). */
    @FunctionalInterface
    public interface DeadLetterFormat {
        void write(List<Entry> batch, DeadLetter why, Writer out) throws IOException;
    }

    /** The sink's own metrics and log; every method may be left as is. */
    public interface Listener {
        default void sent(List<Entry> batch, long items, long bytes) {
        }

        default void retried(Outcome outcome) {
        }

        default void deadLettered(DeadLetter why, long items) {
        }

        default void dropped(long items) {
        }
    }

    /** How one sender queues and delivers. */
    public static final class Options {
        String name;
        String label;
        Path queueDir;
        long queueMaxBytes = 1L << 30;
        boolean dropOldestWhenFull = true;
        long batchBytes = 1 << 20;
        int batchEntries = 100_000;
        Duration batchWait = Duration.ZERO;
        Duration interval = Duration.ofMillis(100);
        Duration minBackoff = Duration.ofMillis(500);
        Duration maxBackoff = Duration.ofSeconds(30);
        boolean jitter;
        int maxAttempts;
        Duration maxAge;
        Path attemptsFile;
        Path deadLetterFile;
        long deadLetterMaxBytes;
        boolean keepWhenDeadLetterFails = true;
        int lastErrorsKept = 5;
        Guard guard = Guard.NONE;
        String queueWrite = "queue";
        String cursorWrite = "cursor";
        String deadLetterWrite = "dead_letter";

        /** {@code name}: the sender label of the metrics and the thread; {@code label}: how messages name the remote. */
        public Options(String name, String label, Path queueDir) {
            this.name = name;
            this.label = label;
            this.queueDir = queueDir;
            this.deadLetterFile = queueDir.resolve("dead-letter.jsonl");
        }

        public Options queue(long maxBytes, boolean dropOldestWhenFull) {
            this.queueMaxBytes = maxBytes;
            this.dropOldestWhenFull = dropOldestWhenFull;
            return this;
        }

        public Options batch(long bytes, int entries, Duration wait) {
            this.batchBytes = bytes;
            this.batchEntries = entries;
            this.batchWait = wait;
            return this;
        }

        public Options interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Options backoff(Duration min, Duration max, boolean jitter) {
            this.minBackoff = min;
            this.maxBackoff = max;
            this.jitter = jitter;
            return this;
        }

        /** Bounded retries: at most {@code attempts}, while younger than {@code maxAge}; attempts kept in the queue dir. */
        public Options giveUpAfter(int attempts, Duration maxAge) {
            this.maxAttempts = attempts;
            this.maxAge = maxAge;
            this.attemptsFile = queueDir.resolve("head-attempts");
            return this;
        }

        public Options deadLetter(Path file, long maxBytes, boolean keepWhenItFails) {
            this.deadLetterFile = file;
            this.deadLetterMaxBytes = maxBytes;
            this.keepWhenDeadLetterFails = keepWhenItFails;
            return this;
        }

        public Options lastErrors(int kept) {
            this.lastErrorsKept = kept;
            return this;
        }

        /** The guard of data-dir writes and the kinds it knows the queue, cursor and dead-letter writes as. */
        public Options guard(Guard guard, String queueWrite, String cursorWrite, String deadLetterWrite) {
            this.guard = guard;
            this.queueWrite = queueWrite;
            this.cursorWrite = cursorWrite;
            this.deadLetterWrite = deadLetterWrite;
            return this;
        }
    }

    private final Options o;
    private final DiskQueue queue;
    private final Transport transport;
    private final DeadLetterFormat format;
    private final Listener listener;
    private final Clock clock;
    private final ScheduledExecutorService loop;
    private final AtomicBoolean kicked = new AtomicBoolean();
    private final Set<String> loggedCauses = ConcurrentHashMap.newKeySet();
    private final Deque<String> lastErrors = new ArrayDeque<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Counter sentItems;
    private final Counter retries;
    private final Counter droppedItems;
    private final MeterRegistry registry;

    private long nextAttemptMillis;
    private volatile boolean retrying;
    private volatile boolean started;
    // the head batch the attempts belong to (segment and end offset of its first record), -1: none
    private long headSegment = -1;
    private long headNext = -1;
    private int attempts;

    public QueuedSender(Options options, Transport transport, DeadLetterFormat format, Listener listener,
            MeterRegistry registry, Clock clock) throws IOException {
        this(options, new DiskQueue(options.queueDir, options.queueMaxBytes, options.dropOldestWhenFull, clock),
                transport, format, listener, registry, clock);
    }

    QueuedSender(Options options, DiskQueue queue, Transport transport, DeadLetterFormat format, Listener listener,
            MeterRegistry registry, Clock clock) {
        this.o = options;
        this.queue = queue;
        this.transport = transport;
        this.format = format;
        this.listener = listener == null ? new Listener() { } : listener;
        this.clock = clock;
        this.registry = registry;
        readAttempts();
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "odin-sender-" + options.name);
            t.setDaemon(true);
            return t;
        });
        if (registry != null) {
            Gauge.builder("odin.delivery.queue.records", queue, DiskQueue::pendingRecords).tag("sender", o.name)
                    .description("Items queued on disk for delivery, by sender").register(registry);
            Gauge.builder("odin.delivery.queue.bytes", queue, DiskQueue::pendingBytes).tag("sender", o.name)
                    .description("Bytes of payload queued on disk for delivery, by sender").register(registry);
            sentItems = Counter.builder("odin.delivery.sent").tag("sender", o.name)
                    .description("Items the remote accepted, by sender").register(registry);
            retries = Counter.builder("odin.delivery.retries").tag("sender", o.name)
                    .description("Batch sends that failed and will be retried, by sender").register(registry);
            droppedItems = Counter.builder("odin.delivery.dropped").tag("sender", o.name)
                    .description("Queued items dropped undelivered from a full queue, by sender").register(registry);
        } else {
            sentItems = null;
            retries = null;
            droppedItems = null;
        }
    }

    public String name() {
        return o.name;
    }

    public DiskQueue queue() {
        return queue;
    }

    /** True while the last send failed and is to be retried. */
    public boolean retrying() {
        return retrying;
    }

    public long pending() {
        return queue.pendingRecords();
    }

    /** Batches dead-lettered since the start. */
    public long deadLettered() {
        return deadLettered.get();
    }

    public Path deadLetterFile() {
        return o.deadLetterFile;
    }

    public synchronized List<String> lastErrors() {
        return new ArrayList<>(lastErrors);
    }

    /**
     * Appends one entry durably (through the guard, as the queue write): returns once it is on
     * disk. A full queue that refuses throws {@link QueueFullException}; one that drops its
     * oldest entries counts them.
     */
    public void append(Entry entry) throws IOException {
        long droppedBefore = queue.droppedRecords();
        byte type = entry.recordType();
        byte[] payload = entry.recordPayload();
        o.guard.write(o.queueWrite, () -> queue.append(type, entry.items(), payload));
        long dropped = queue.droppedRecords() - droppedBefore;
        if (dropped > 0) {
            if (droppedItems != null) {
                droppedItems.increment(dropped);
            }
            listener.dropped(dropped);
        }
    }

    /** Starts the delivery loop (every interval). */
    public synchronized void start() {
        if (!started) {
            started = true;
            long every = Math.max(1, o.interval.toMillis());
            loop.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    public boolean isRunning() {
        return started && !loop.isShutdown();
    }

    /** Runs the loop now on the sender's thread, unless a run is already waiting. */
    public void kick() {
        if (kicked.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    kicked.set(false);
                    runQuietly();
                });
            } catch (RejectedExecutionException e) {
                kicked.set(false); // closing
            }
        }
    }

    private void runQuietly() {
        try {
            deliverDue();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: queue error: {}", o.name, e.toString());
            remember(o.label + ": queue error: " + e);
        }
    }

    /** One run of the loop: at most about a second of sending, so a flush never waits long behind it. */
    public void deliverDue() throws IOException {
        deliverDue(false, clock.millis() + 1000);
    }

    /**
     * Sends what is queued, not waiting for batches to fill, until the queue is empty or the
     * timeout passes (retrying with the usual backoff meanwhile). What is left stays on disk.
     *
     * @return true when the queue is empty
     */
    public boolean flush(Duration timeout) throws IOException, InterruptedException {
        long deadline = clock.millis() + timeout.toMillis();
        while (queue.pendingRecords() > 0) {
            long now = clock.millis();
            if (now >= deadline) {
                return false;
            }
            long wait;
            synchronized (this) {
                wait = nextAttemptMillis - now;
                if (wait <= 0) {
                    deliverDue(true, deadline);
                    continue;
                }
            }
            Thread.sleep(Math.max(1, Math.min(wait, deadline - now)));
        }
        return true;
    }

    private synchronized void deliverDue(boolean flushing, long deadlineMillis) throws IOException {
        long now = clock.millis();
        if (now < nextAttemptMillis) {
            return;
        }
        if (queue.cursorUnsaved() && !guarded(o.cursorWrite, queue::saveCursor)) {
            holdBack();
            return; // nothing more is sent until the cursor says what was
        }
        for (int round = 0; round < 1000 && now < deadlineMillis; round++) {
            List<DiskQueue.Record> records = queue.peek(o.batchBytes, o.batchEntries);
            if (records.isEmpty()) {
                return;
            }
            List<Entry> batch = new ArrayList<>(records.size());
            try {
                for (DiskQueue.Record r : records) {
                    Entry e = Entry.fromRecord(r);
                    if (!batch.isEmpty() && !batch.get(0).sameKind(e)) {
                        break;
                    }
                    batch.add(e);
                }
            } catch (IOException | RuntimeException e) {
                if (batch.isEmpty()) { // the head record itself is unreadable
                    DiskQueue.Record r = records.get(0);
                    List<DiskQueue.Record> one = List.of(r);
                    Entry raw = new Entry((byte) 0, Map.of(), r.payload(), r.items(), r.enqueuedMillis());
                    if (!giveUp(one, List.of(raw), Outcome.dropPermanently(0, "unreadable",
                            "the queued record cannot be read: " + e), 0)) {
                        return;
                    }
                    now = clock.millis();
                    continue;
                }
            }
            List<DiskQueue.Record> taken = records.subList(0, batch.size());
            long bytes = 0;
            long recordBytes = 0;
            int items = 0;
            for (int i = 0; i < batch.size(); i++) {
                bytes += batch.get(i).payload().length;
                recordBytes += taken.get(i).payload().length;
                items += batch.get(i).items();
            }
            boolean full = recordBytes >= o.batchBytes || queue.pendingBytes() > recordBytes;
            if (!flushing && !full && now - batch.get(0).enqueuedMillis() < o.batchWait.toMillis()) {
                return; // let the batch fill up a little longer
            }
            DiskQueue.Record head = taken.get(0);
            int tried = head.segment() == headSegment && head.next() == headNext ? attempts : 0;
            Outcome outcome;
            try {
                outcome = transport.send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) { // a transport's bug: retried, within the same bounds
                outcome = Outcome.retryLater(0, e.toString(), null);
            }
            switch (outcome.kind()) {
                case DELIVERED -> {
                    if (sentItems != null) {
                        sentItems.increment(items);
                    }
                    listener.sent(batch, items, bytes);
                    retrying = false;
                    forgetAttempts();
                    if (!ack(taken)) {
                        return;
                    }
                }
                case RETRY_LATER -> {
                    tried++;
                    if (retries != null) {
                        retries.increment();
                    }
                    listener.retried(outcome);
                    String giveUp = o.maxAttempts > 0 && tried >= o.maxAttempts ? "max_attempts"
                            : o.maxAge != null && clock.millis() - head.enqueuedMillis() >= o.maxAge.toMillis()
                                    ? "max_age" : null;
                    if (giveUp == null) {
                        saveAttempts(head, tried);
                        retrying = true;
                        long delay = backoffMillis(tried, outcome.retryAfter());
                        nextAttemptMillis = clock.millis() + delay;
                        remember(outcome, "retrying in " + delay + " ms"
                                + (o.maxAttempts > 0 ? ", attempt " + tried + " of " + o.maxAttempts : ""));
                        return;
                    }
                    Outcome last = new Outcome(Outcome.Kind.DROP_PERMANENTLY, outcome.status(), giveUp,
                            outcome.message(), null);
                    if (!giveUp(taken, batch, last, tried)) {
                        return;
                    }
                }
                case DROP_PERMANENTLY -> {
                    if (!giveUp(taken, batch, outcome, tried + 1)) {
                        return;
                    }
                }
            }
            now = clock.millis();
        }
    }

    /** Dead-letters the batch and moves past it; false when delivery is to stop for now. */
    private boolean giveUp(List<DiskQueue.Record> taken, List<Entry> batch, Outcome outcome, int tried)
            throws IOException {
        String reason = outcome.reason() == null ? "permanent" : outcome.reason();
        DeadLetter why = new DeadLetter(clock.instant(), reason, outcome, tried);
        long items = 0;
        for (Entry e : batch) {
            items += e.items();
        }
        try {
            o.guard.write(o.deadLetterWrite, () -> writeDeadLetter(batch, why));
        } catch (IOException | RuntimeException e) {
            if (o.keepWhenDeadLetterFails) {
                remember(outcome, "kept in the queue: " + e.getMessage());
                holdBack();
                return false;
            }
            // moving on anyway: a sender blocked by a full disk would deliver nothing else either
            log.error("{}: could not dead-letter a batch of {} ({}): {}; it is dropped", o.name, items, reason,
                    e.toString());
        }
        deadLettered.incrementAndGet();
        if (registry != null) {
            registry.counter("odin.delivery.dead.lettered", "sender", o.name, "reason", reason).increment(items);
        }
        listener.deadLettered(why, items);
        log.warn("{}: dead-lettered {} item(s) ({}, after {} attempt{}) to {}: {}", o.name, items, reason, tried,
                tried == 1 ? "" : "s", o.deadLetterFile, outcome.message());
        remember(outcome, "dead-lettered (" + reason + ") to " + o.deadLetterFile.getFileName());
        forgetAttempts();
        return ack(taken);
    }

    /** The cursor moved past a batch; false when it could not be saved (retried later). */
    private boolean ack(List<DiskQueue.Record> taken) {
        if (!guarded(o.cursorWrite, () -> queue.ack(taken))) {
            holdBack();
            return false;
        }
        return true;
    }

    private boolean guarded(String what, IoAction action) {
        try {
            o.guard.write(what, action);
            return true;
        } catch (IOException | RuntimeException e) {
            remember(o.label + ": " + what + " not written (" + e.getMessage() + "); delivery held back");
            return false;
        }
    }

    /** A write under the data dir failed: the next run waits one minimum backoff. */
    private void holdBack() {
        nextAttemptMillis = clock.millis() + o.minBackoff.toMillis();
    }

    private long backoffMillis(int tried, Duration retryAfter) {
        long min = o.minBackoff.toMillis();
        long max = o.maxBackoff.toMillis();
        long exp = min << Math.min(20, Math.max(0, tried - 1));
        long capped = Math.min(max, exp <= 0 ? max : exp);
        long backoff = o.jitter ? capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1) : capped;
        if (retryAfter != null) {
            backoff = Math.max(backoff, retryAfter.toMillis());
        }
        return Math.min(max, backoff);
    }

    private void writeDeadLetter(List<Entry> batch, DeadLetter why) throws IOException {
        java.io.ByteArrayOutputStream rendered = new java.io.ByteArrayOutputStream();
        Writer w = new BufferedWriter(new OutputStreamWriter(rendered, StandardCharsets.UTF_8), 64 * 1024);
        format.write(batch, why, w);
        w.flush();
        byte[] bytes = rendered.toByteArray();
        Path file = o.deadLetterFile;
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (o.deadLetterMaxBytes > 0 && Files.exists(file) && Files.size(file) + bytes.length > o.deadLetterMaxBytes) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = ch.size();
            ch.position(start);
            try {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false);
            } catch (IOException | RuntimeException e) {
                ch.truncate(start); // nothing half-written stays behind
                throw e;
            }
        }
    }

    private void readAttempts() {
        if (o.attemptsFile == null) {
            return;
        }
        try {
            if (Files.exists(o.attemptsFile)) {
                String[] parts = Files.readString(o.attemptsFile, StandardCharsets.US_ASCII).trim().split(" ");
                headSegment = Long.parseLong(parts[0]);
                headNext = Long.parseLong(parts[1]);
                attempts = Integer.parseInt(parts[2]);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("{}: {} unreadable ({}); the head batch's attempts start anew", o.name, o.attemptsFile,
                    e.toString());
        }
    }

    private void saveAttempts(DiskQueue.Record head, int tried) throws IOException {
        headSegment = head.segment();
        headNext = head.next();
        attempts = tried;
        if (o.attemptsFile != null) {
            Path tmp = o.attemptsFile.resolveSibling(o.attemptsFile.getFileName() + ".tmp");
            Files.writeString(tmp, headSegment + " " + headNext + " " + attempts, StandardCharsets.US_ASCII);
            Files.move(tmp, o.attemptsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void forgetAttempts() throws IOException {
        if (headSegment != -1) {
            headSegment = -1;
            headNext = -1;
            attempts = 0;
            if (o.attemptsFile != null) {
                Files.deleteIfExists(o.attemptsFile);
            }
        }
    }

    private void remember(Outcome outcome, String what) {
        String status = outcome.status() == 0 && outcome.reason() != null ? outcome.reason() : outcome.statusLabel();
        String line = o.label + " " + status + ": " + outcome.message() + " (" + what + ")";
        String cause = status + ":"
                + (outcome.message().length() > 80 ? outcome.message().substring(0, 80) : outcome.message());
        if (loggedCauses.size() < MAX_LOGGED_CAUSES && loggedCauses.add(cause)) {
            log.warn(line);
        }
        remember(line);
    }

    private synchronized void remember(String line) {
        if (lastErrors.size() >= o.lastErrorsKept) {
            lastErrors.removeFirst();
        }
        lastErrors.addLast(clock.instant() + " " + line);
    }

    /** Stops the loop (a run under way finishes first). */
    public void stop() {
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        synchronized (this) {
            queue.close();
        }
    }
}
