package dev.odin.testing;

import com.sun.net.httpserver.HttpServer;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.xerial.snappy.Snappy;

/**
 * A stand-in for Loki's push API on a loopback port (no registry here ships Loki). It decodes the
 * real wire format — snappy block compression around logproto.PushRequest — and keeps what it
 * accepted per stream, dropping an entry with the same timestamp and line as one already in its
 * stream, as Loki's ingester does. Faults are scripted: a status to answer (with Retry-After),
 * a delay, or the port closed.
 */
public final class StandInLoki implements AutoCloseable {

    /** One stored entry. */
    public record Entry(long timestampNanos, String line, Map<String, String> metadata) {
    }

    private final int port;
    private HttpServer server;
    private final Map<String, List<Entry>> streams = new ConcurrentHashMap<>();
    private final Map<String, java.util.Set<String>> seen = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> tenants = new ConcurrentLinkedQueue<>();
    private final Map<String, List<String>> linesByTenant = new ConcurrentHashMap<>();
    private final AtomicInteger pushes = new AtomicInteger();
    private final AtomicInteger entriesReceived = new AtomicInteger();
    private volatile IntSupplier status = () -> 204;
    private volatile String retryAfter;
    private volatile long delayMillis;
    private volatile String rejectMarker;

    public StandInLoki() throws IOException {
        this(0);
    }

    /** A stand-in on a free port, for a static field (no checked exception). */
    public static StandInLoki open() {
        try {
            return new StandInLoki();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The values of the "seq" metadata of every stored entry: which numbered records arrived. */
    public java.util.Set<Long> seqs() {
        java.util.Set<Long> seqs = new java.util.HashSet<>();
        for (List<Entry> entries : streams.values()) {
            synchronized (entries) {
                for (Entry e : entries) {
                    seqs.add(Long.valueOf(e.metadata().get("seq")));
                }
            }
        }
        return seqs;
    }

    public StandInLoki(int port) throws IOException {
        start(port);
        this.port = server.getAddress().getPort();
    }

    private void start(int p) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 64);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "stand-in-loki");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/loki/api/v1/push", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                pushes.incrementAndGet();
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                int answer = status.getAsInt();
                String marker = rejectMarker;
                if (answer == 204 && marker != null) {
                    // Loki's partial refusal: valid entries stored, the bad ones named in a 400
                    rejectMarker = null;
                    PushRequest all = PushRequest.parseFrom(Snappy.uncompress(body));
                    PushRequest.Builder good = PushRequest.newBuilder();
                    StringBuilder bad = new StringBuilder();
                    for (StreamAdapter s : all.getStreamsList()) {
                        StreamAdapter.Builder keep = s.toBuilder().clearEntries();
                        for (EntryAdapter e : s.getEntriesList()) {
                            if (e.getLine().contains(marker)) {
                                bad.append("entry with timestamp ").append(e.getTimestamp().getSeconds())
                                        .append(" has an invalid line; ");
                            } else {
                                keep.addEntries(e);
                            }
                        }
                        good.addStreams(keep);
                    }
                    store(good.build());
                    byte[] msg = bad.toString().getBytes();
                    exchange.sendResponseHeaders(400, msg.length);
                    exchange.getResponseBody().write(msg);
                    return;
                }
                if (answer == 204) {
                    if (!"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                        answer = 415;
                    } else {
                        PushRequest push = PushRequest.parseFrom(Snappy.uncompress(body));
                        store(push);
                        String tenant = exchange.getRequestHeaders().getFirst("X-Scope-OrgID");
                        if (tenant != null) {
                            tenants.add(tenant);
                        }
                        List<String> lines = linesByTenant.computeIfAbsent(tenant == null ? "" : tenant,
                                k -> java.util.Collections.synchronizedList(new ArrayList<>()));
                        for (StreamAdapter s : push.getStreamsList()) {
                            for (EntryAdapter e : s.getEntriesList()) {
                                lines.add(s.getLabels() + " " + e.getLine());
                            }
                        }
                    }
                }
                if (answer >= 400 && retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", retryAfter);
                }
                byte[] msg = answer >= 400 ? ("stand-in answers " + answer).getBytes() : new byte[0];
                exchange.sendResponseHeaders(answer, msg.length == 0 ? -1 : msg.length);
                if (msg.length > 0) {
                    exchange.getResponseBody().write(msg);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    private void store(PushRequest push) {
        for (StreamAdapter s : push.getStreamsList()) {
            List<Entry> list = streams.computeIfAbsent(s.getLabels(), k -> new ArrayList<>());
            java.util.Set<String> keys = seen.computeIfAbsent(s.getLabels(), k -> new java.util.HashSet<>());
            synchronized (list) {
                for (EntryAdapter e : s.getEntriesList()) {
                    entriesReceived.incrementAndGet();
                    long ts = e.getTimestamp().getSeconds() * 1_000_000_000L + e.getTimestamp().getNanos();
                    if (keys.add(ts + "\n" + e.getLine())) {
                        Map<String, String> md = new LinkedHashMap<>();
                        for (LabelPairAdapter p : e.getStructuredMetadataList()) {
                            if (md.put(p.getName(), p.getValue()) != null) {
                                throw new IllegalStateException("metadata name twice: " + p.getName());
                            }
                        }
                        list.add(new Entry(ts, e.getLine(), md));
                    }
                }
            }
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Map<String, List<Entry>> streams() {
        return streams;
    }

    public int pushes() {
        return pushes.get();
    }

    /** Entries received, duplicates included. */
    public int entriesReceived() {
        return entriesReceived.get();
    }

    public int entriesStored() {
        return streams.values().stream().mapToInt(List::size).sum();
    }

    /** Per X-Scope-OrgID (empty: none sent), each entry received as "{stream labels} line". */
    public Map<String, List<String>> linesByTenant() {
        return linesByTenant;
    }

    public List<String> tenants() {
        return new ArrayList<>(tenants);
    }

    public void answer(IntSupplier status, String retryAfter) {
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public void healthy() {
        answer(() -> 204, null);
        delayMillis = 0;
    }

    /** The next push: store what does not contain the marker, answer 400 naming the rest. */
    public void rejectOnce(String marker) {
        this.rejectMarker = marker;
    }

    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Closes the port: connections are refused until {@link #reopen()}. */
    public void stop() {
        server.stop(0);
    }

    public void reopen() throws IOException {
        start(port);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
