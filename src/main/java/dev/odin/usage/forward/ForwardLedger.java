package dev.odin.usage.forward;

import dev.odin.usage.TokenUsage;
import dev.odin.usage.UsageEvent;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the central has counted of each forwarded request, per (machine, message id, request
 * id): the tokens and cost of the totals counted so far. A forwarded record (totals) adds what
 * goes beyond them, component by component, so a retried batch, a replayed backlog or an older
 * record arriving after a newer adds nothing. Rebuilt on start from the usage history (the
 * increments it holds add up to the totals), so it survives a restart. Bounded: past
 * {@code maxRequests} the requests least recently seen are forgotten, and counted.
 */
final class ForwardLedger {

    /** Counted so far for one request. */
    record Counted(TokenUsage tokens, BigDecimal cost) {
    }

    private static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    private final int maxRequests;
    private final Map<String, Counted> counted;
    private long forgotten;

    ForwardLedger(int maxRequests) {
        this.maxRequests = maxRequests;
        this.counted = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counted> eldest) {
                if (size() > ForwardLedger.this.maxRequests) {
                    forgotten++;
                    return true;
                }
                return false;
            }
        };
    }

    static String key(String machine, String messageId, String requestId) {
        return machine + '\u0000' + messageId + '\u0000' + requestId;
    }

    /** Adds an increment the history holds (on start). */
    synchronized void remember(UsageEvent e) {
        if (e.messageId() == null || e.requestId() == null || e.machine() == null) {
            return;
        }
        String k = key(e.machine(), e.messageId(), e.requestId());
        Counted b = counted.get(k);
        TokenUsage t = b == null ? NONE : b.tokens();
        BigDecimal cost = b == null ? null : b.cost();
        if (e.cost() != null) {
            cost = cost == null ? e.cost() : cost.add(e.cost());
        }
        counted.put(k, new Counted(plus(t, e.tokens()), cost));
    }

    /** What is counted of this request now (null: nothing). */
    synchronized Counted get(String key) {
        return counted.get(key);
    }

    /** Records what a record's totals made of the request (after its increment was stored). */
    synchronized void put(String key, Counted now) {
        counted.put(key, now);
    }

    /**
     * The new state of the request given a record's totals: the component-wise maximum of what
     * was counted and the totals; the cost the larger of both (a cost only grows with tokens).
     */
    static Counted merge(Counted before, TokenUsage total, BigDecimal totalCost) {
        TokenUsage b = before == null ? NONE : before.tokens();
        TokenUsage max = new TokenUsage(Math.max(b.input(), total.input()), Math.max(b.output(), total.output()),
                Math.max(b.cacheWrite5m(), total.cacheWrite5m()), Math.max(b.cacheWrite1h(), total.cacheWrite1h()),
                Math.max(b.cacheRead(), total.cacheRead()));
        BigDecimal bc = before == null ? null : before.cost();
        BigDecimal cost = bc == null ? totalCost : totalCost == null ? bc : bc.max(totalCost);
        return new Counted(max, cost);
    }

    static TokenUsage minus(TokenUsage a, TokenUsage b) {
        return new TokenUsage(a.input() - b.input(), a.output() - b.output(), a.cacheWrite5m() - b.cacheWrite5m(),
                a.cacheWrite1h() - b.cacheWrite1h(), a.cacheRead() - b.cacheRead());
    }

    static TokenUsage plus(TokenUsage a, TokenUsage b) {
        return new TokenUsage(a.input() + b.input(), a.output() + b.output(), a.cacheWrite5m() + b.cacheWrite5m(),
                a.cacheWrite1h() + b.cacheWrite1h(), a.cacheRead() + b.cacheRead());
    }

    static TokenUsage none() {
        return NONE;
    }

    synchronized int size() {
        return counted.size();
    }

    /** Requests forgotten because the ledger was full. */
    synchronized long forgotten() {
        return forgotten;
    }
}
