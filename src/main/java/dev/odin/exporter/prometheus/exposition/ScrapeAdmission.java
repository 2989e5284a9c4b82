package dev.odin.exporter.prometheus.exposition;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many scrapes run at once, in total and per client address. A scrape holds a
 * management-server thread until the client has read the whole body: a client that asks and
 * never reads (or reads a byte at a time) would otherwise take one thread per connection until
 * none is left for the Prometheus that scrapes properly. A client over its share, or any client
 * while the total is reached, is refused at once (429), which costs no thread.
 *
 * <p>An address is tracked only while it has a scrape in flight, so the map holds at most
 * {@code maxConcurrent} entries whatever the number of clients.
 */
public final class ScrapeAdmission {

    /** Why a scrape was refused: the label of the refusal counter. */
    public enum Refusal {
        CLIENT_LIMIT("client_limit"), TOTAL_LIMIT("total_limit");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final int maxConcurrent;
    private final int maxPerClient;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

    public ScrapeAdmission(int maxConcurrent, int maxPerClient) {
        if (maxConcurrent < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("scrape limits must be at least 1");
        }
        this.maxConcurrent = maxConcurrent;
        this.maxPerClient = Math.min(maxPerClient, maxConcurrent);
    }

    /**
     * Takes a slot for {@code client}: null when admitted (then {@link #release} it exactly once),
     * else why not.
     */
    public Refusal tryAcquire(String client) {
        int total = inFlight.incrementAndGet();
        if (total > maxConcurrent) {
            inFlight.decrementAndGet();
            return Refusal.TOTAL_LIMIT;
        }
        boolean[] admitted = {false};
        perClient.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerClient) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            inFlight.decrementAndGet();
            return Refusal.CLIENT_LIMIT;
        }
        return null;
    }

    public void release(String client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        inFlight.decrementAndGet();
    }

    /** Scrapes being written now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Addresses with a scrape in flight (at most maxConcurrent). */
    int trackedClients() {
        return perClient.size();
    }
}
