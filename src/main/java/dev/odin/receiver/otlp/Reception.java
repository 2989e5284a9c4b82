package dev.odin.receiver.otlp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bodies being received right now. Reading them holds no thread (it is non-blocking), but
 * each holds a connection and the bytes that arrived so far, so their number, their number per
 * client address and their bytes together are capped: a slow or hostile client can fill its own
 * share, never everyone's. Entries per client disappear when its last body is done, so the map is
 * never larger than the number of bodies being received.
 */
public final class Reception {

    /** Why a body could not start or go on being received. */
    public enum Refusal { TOO_MANY, TOO_MANY_FROM_CLIENT, BYTES }

    private final int maxBodies;
    private final int maxBodiesPerClient;
    private final long maxBytes;
    private final AtomicInteger bodies = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final ConcurrentMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

    /**
     * @param maxBodiesPerClient 0 for no per-client cap
     */
    public Reception(int maxBodies, int maxBodiesPerClient, long maxBytes) {
        this.maxBodies = maxBodies;
        this.maxBodiesPerClient = maxBodiesPerClient;
        this.maxBytes = maxBytes;
    }

    /** @return null when the body may be received (then {@link #end} must follow), else why not */
    public Refusal begin(String client) {
        if (bodies.incrementAndGet() > maxBodies) {
            bodies.decrementAndGet();
            return Refusal.TOO_MANY;
        }
        if (maxBodiesPerClient > 0) {
            AtomicInteger[] mine = new AtomicInteger[1];
            perClient.compute(client, (k, n) -> {
                AtomicInteger c = n == null ? new AtomicInteger() : n;
                mine[0] = c;
                c.incrementAndGet();
                return c;
            });
            if (mine[0].get() > maxBodiesPerClient) {
                leave(client);
                bodies.decrementAndGet();
                return Refusal.TOO_MANY_FROM_CLIENT;
            }
        }
        return null;
    }

    /** Takes n more buffered bytes; false (nothing taken) past the cap for all bodies together. */
    public boolean take(long n) {
        long now = bytes.addAndGet(n);
        if (now > maxBytes && now != n) { // one body alone always fits up to its own size limit
            bytes.addAndGet(-n);
            return false;
        }
        return true;
    }

    /** A body is done (read, refused or abandoned): gives back its place and its bytes. */
    public void end(String client, long taken) {
        bytes.addAndGet(-taken);
        bodies.decrementAndGet();
        if (maxBodiesPerClient > 0) {
            leave(client);
        }
    }

    private void leave(String client) {
        perClient.computeIfPresent(client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int bodies() {
        return bodies.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public int clients() {
        return perClient.size();
    }
}
