package dev.odin.usage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts each API request once. Claude Code writes one transcript line per content block of a
 * message, each repeating the message's usage, and streaming partials whose output count grows
 * to the final one; the same lines can be read again (a resumed session copies its history into
 * a new file). Per (message id, request id) the ledger remembers what it has counted and adds
 * only what a line has beyond that, so totals are exact whatever the order. Bounded: the oldest
 * requests are forgotten first (a request's lines are written within seconds of each other).
 */
public final class UsageLedger {

    private final int maxRequests;
    private final Map<String, TokenUsage> counted;

    public UsageLedger(int maxRequests) {
        this.maxRequests = maxRequests;
        this.counted = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenUsage> eldest) {
                return size() > UsageLedger.this.maxRequests;
            }
        };
    }

    /** What a record changed: the request's counted tokens before and after it. */
    public record Counted(TokenUsage before, TokenUsage after) {
        public TokenUsage added() {
            return minus(after, before);
        }

        /** Whether the record added tokens or web searches (a repeat adds none). */
        public boolean changed() {
            return !before.sameCounts(after);
        }
    }

    private static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    /** Counts a record: the request's tokens before it and after it. */
    public synchronized Counted count(UsageRecord r) {
        if (r.messageId() == null || r.requestId() == null) {
            return new Counted(NONE, r.usage());
        }
        String key = r.messageId() + "\u0000" + r.requestId();
        TokenUsage now = r.usage();
        // what was counted is priced as this line is (speed, region): the lines of one request agree on them
        TokenUsage before = counted.getOrDefault(key, NONE).billedAs(now);
        TokenUsage max = max(before, now);
        counted.put(key, max);
        return new Counted(before, max);
    }

    /** The component-wise maximum of the counts; speed and region those of {@code now}. */
    static TokenUsage max(TokenUsage before, TokenUsage now) {
        return new TokenUsage(Math.max(before.input(), now.input()), Math.max(before.output(), now.output()),
                Math.max(before.cacheWrite5m(), now.cacheWrite5m()), Math.max(before.cacheWrite1h(), now.cacheWrite1h()),
                Math.max(before.cacheRead(), now.cacheRead()),
                Math.max(before.webSearchRequests(), now.webSearchRequests()), now.fast(), now.usOnly());
    }

    /** The counts of {@code a} beyond {@code b}; speed and region those of {@code a}. */
    static TokenUsage minus(TokenUsage a, TokenUsage b) {
        return new TokenUsage(a.input() - b.input(), a.output() - b.output(), a.cacheWrite5m() - b.cacheWrite5m(),
                a.cacheWrite1h() - b.cacheWrite1h(), a.cacheRead() - b.cacheRead(),
                a.webSearchRequests() - b.webSearchRequests(), a.fast(), a.usOnly());
    }

    /**
     * Adds tokens already counted before a restart (from the usage store), so that lines read
     * again after it, as a resumed session copies its history, are recognised as repeats.
     */
    public synchronized void remember(String messageId, String requestId, TokenUsage added) {
        if (messageId == null || requestId == null) {
            return;
        }
        String key = messageId + "\u0000" + requestId;
        TokenUsage b = counted.getOrDefault(key, NONE);
        counted.put(key, new TokenUsage(b.input() + added.input(), b.output() + added.output(),
                b.cacheWrite5m() + added.cacheWrite5m(), b.cacheWrite1h() + added.cacheWrite1h(),
                b.cacheRead() + added.cacheRead(), b.webSearchRequests() + added.webSearchRequests(), added.fast(),
                added.usOnly()));
    }

    /** @return the tokens this record adds to the totals (all zero for a repeat) */
    public synchronized TokenUsage add(UsageRecord r) {
        if (r.messageId() == null || r.requestId() == null) {
            return r.usage(); // nothing to recognise a repeat by: count it
        }
        String key = r.messageId() + "\u0000" + r.requestId();
        TokenUsage before = counted.get(key);
        TokenUsage now = r.usage();
        if (before == null) {
            counted.put(key, now);
            return now;
        }
        TokenUsage max = max(before, now);
        counted.put(key, max);
        return minus(max, before);
    }
}
