package dev.odin.usage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Reads what is new in one transcript file (the transcript route hands it each file that
 * changed): from the saved offset to the last complete line, each line through the parser and
 * the ledger (so a request is counted once, whatever its content blocks, streaming partials or
 * copies in a resumed session), the cost priced from the request's tokens before and after the
 * line, and the offset saved once the usage is recorded. A line still being written is left for
 * the next poll; a truncated or rewritten file is read again from the start. Each request is
 * attributed to the repository of the line's {@code cwd} ({@link GitRepositories}; the project
 * directory's name when the line has no cwd) and the line's {@code gitBranch}.
 */
public final class TranscriptFollower {

    /** A line longer than this is skipped (counted as malformed): no usage line is near it. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    private static final int HEAD_BYTES = 4096;

    private final Path root;
    private final TranscriptOffsets offsets;
    private final TranscriptParser parser;
    private final UsageLedger ledger;
    private final Pricing pricing;
    private final UsageRecorder recorder;
    private final String machine;
    private final String user;
    private final String team;
    private final GitRepositories repositories;
    private final LongAdder rewinds = new LongAdder();
    private final LongAdder linesRead = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final UnpricedRequests unpricedRequests;
    private volatile Listener listener;

    /**
     * One request's usage as a read counted it: the increment recorded, and the request's totals
     * (tokens and their cost, null when unpriced) counted so far, increment included.
     */
    public record Counted(UsageEvent added, TokenUsage total, BigDecimal totalCost) {
    }

    /** Told what each read counted, once it is recorded (the usage forwarder). */
    public interface Listener {
        void counted(List<Counted> counted);
    }

    /** Sets the one listener (null: none). */
    public void listen(Listener listener) {
        this.listener = listener;
    }

    public TranscriptFollower(Path root, TranscriptOffsets offsets, TranscriptParser parser, UsageLedger ledger,
            Pricing pricing, UsageRecorder recorder, String machine, String user, String team) {
        this(root, offsets, parser, ledger, pricing, recorder, machine, user, team,
                new GitRepositories(RepositoryProperties.defaults().directories()), UnpricedRequests.unregistered());
    }

    public TranscriptFollower(Path root, TranscriptOffsets offsets, TranscriptParser parser, UsageLedger ledger,
            Pricing pricing, UsageRecorder recorder, String machine, String user, String team,
            GitRepositories repositories) {
        this(root, offsets, parser, ledger, pricing, recorder, machine, user, team, repositories,
                UnpricedRequests.unregistered());
    }

    public TranscriptFollower(Path root, TranscriptOffsets offsets, TranscriptParser parser, UsageLedger ledger,
            Pricing pricing, UsageRecorder recorder, String machine, String user, String team,
            UnpricedRequests unpricedRequests) {
        this(root, offsets, parser, ledger, pricing, recorder, machine, user, team,
                new GitRepositories(RepositoryProperties.defaults().directories()), unpricedRequests);
    }

    /** @param unpricedRequests counts the requests (once each, however often their line grows) with no price */
    public TranscriptFollower(Path root, TranscriptOffsets offsets, TranscriptParser parser, UsageLedger ledger,
            Pricing pricing, UsageRecorder recorder, String machine, String user, String team,
            GitRepositories repositories, UnpricedRequests unpricedRequests) {
        this.repositories = repositories;
        this.unpricedRequests = unpricedRequests;
        this.user = user;
        this.team = team;
        this.root = root.toAbsolutePath().normalize();
        this.offsets = offsets;
        this.parser = parser;
        this.ledger = ledger;
        this.pricing = pricing;
        this.recorder = recorder;
        this.machine = machine;
    }

    /** The project a transcript belongs to: the first directory under the root. */
    String project(Path file) {
        Path rel = root.relativize(file.toAbsolutePath().normalize());
        return rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
    }

    /** @return the usage the new lines added (already recorded), oldest first */
    public synchronized List<UsageEvent> read(Path file) throws IOException {
        String key = file.toAbsolutePath().normalize().toString();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        long size = Files.size(file);
        long head = headHash(file);
        TranscriptOffsets.Position p = offsets.get(key);
        long start = p == null ? 0 : p.offset();
        if (p != null && (p.headHash() != head || size < p.offset())) {
            rewinds.increment(); // truncated or rewritten: what is there now is read from the start
            start = 0;
        }
        if (size <= start) {
            if (p == null || start != p.offset() || head != p.headHash()) {
                offsets.put(key, new TranscriptOffsets.Position(start, head));
                offsets.save();
            }
            return List.of();
        }
        String project = project(file);
        List<UsageEvent> events = new ArrayList<>();
        List<Counted> counted = new ArrayList<>();
        long offset = start;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(start);
            ByteArrayOutputStream line = new ByteArrayOutputStream(8192);
            boolean skipping = false;
            long pos = start;
            byte[] buf = new byte[64 * 1024];
            for (int n; pos < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - pos))) > 0; ) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    if (!skipping) {
                        line.write(buf, from, i - from);
                        handle(line.toString(StandardCharsets.UTF_8), project, events, counted);
                    }
                    line.reset();
                    skipping = false;
                    from = i + 1;
                    offset = pos + i + 1;
                }
                if (!skipping) {
                    line.write(buf, from, n - from);
                    if (line.size() > MAX_LINE_BYTES) {
                        skipping = true;
                        line.reset();
                        parser.countMalformed();
                    }
                }
                pos += n;
            }
        }
        recorder.record(events);
        Listener l = listener;
        if (l != null && !counted.isEmpty()) {
            l.counted(counted);
        }
        offsets.put(key, new TranscriptOffsets.Position(offset, head));
        offsets.save();
        return events;
    }

    private void handle(String line, String project, List<UsageEvent> out, List<Counted> counted) {
        linesRead.increment();
        UsageRecord r = parser.parse(line, project);
        if (r == null) {
            return;
        }
        UsageLedger.Counted c = ledger.count(r);
        if (!c.changed()) {
            return;
        }
        BigDecimal after = pricing.cost(r.model(), c.after());
        BigDecimal before = pricing.cost(r.model(), c.before());
        BigDecimal cost = after == null ? null : after.subtract(before == null ? BigDecimal.ZERO : before);
        if (after == null) {
            unpriced.increment();
            if (c.before().total() == 0) {
                unpricedRequests.count(UsageEvent.TRANSCRIPT, r.model());
            }
        }
        String repository = repositories.repository(r.cwd());
        UsageEvent e = new UsageEvent(r.timestamp(), UsageEvent.TRANSCRIPT, machine, project, r.sessionId(), r.model(),
                c.added(), cost, r.messageId(), r.requestId(), user, team,
                repository == null ? project : repository, r.gitBranch());
        out.add(e);
        counted.add(new Counted(e, c.after(), after));
    }

    static long headHash(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        int end = head.length;
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n') {
                end = i;
                break;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(head, 0, end);
        return crc.getValue() | ((long) end << 32);
    }

    public long rewinds() {
        return rewinds.sum();
    }

    public long linesRead() {
        return linesRead.sum();
    }

    /** Usage lines whose model is not in the price table (tokens counted, cost not). */
    public long unpriced() {
        return unpriced.sum();
    }
}
