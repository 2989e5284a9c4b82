package dev.odin.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP receiver standing in for Slack, Discord, ntfy or a webhook: records every
 * request, and answers 500 (or another status) to the first {@code failures} of them.
 */
public final class HttpStandIn implements AutoCloseable {

    /** One request received; {@code bytes} is the body as sent (for binary bodies such as protobuf). */
    public record Request(String method, String path, Map<String, List<String>> headers, String body, byte[] bytes) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile int failStatus = 500;
    private final Map<String, String> responseHeaders = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    public HttpStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try {
                gate.await(); // hold(): a receiver that stalls, until release()
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String body = new String(bytes, StandardCharsets.UTF_8);
            answered.incrementAndGet();
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failStatus : 200;
            if (status == 200) {
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        Map.copyOf(exchange.getRequestHeaders()), body, bytes));
            }
            byte[] out = (status == 200 ? "ok" : "boom").getBytes(StandardCharsets.UTF_8);
            responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
    }

    /** A started stand-in, for static fields of a test class. */
    public static HttpStandIn start() {
        try {
            return new HttpStandIn();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Holds every request (unanswered) until {@link #release()}: a stalled receiver. */
    public void hold() {
        gate = new java.util.concurrent.CountDownLatch(1);
    }

    /** Answers the held requests and stops holding. */
    public void release() {
        gate.countDown();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Sends this header with every answer from now on (a receiver's Retry-After, written counts...). */
    public void respondWithHeader(String name, String value) {
        responseHeaders.put(name, value);
    }

    /** Answer 500 to the next n requests. */
    public void failNext(int n) {
        failNext(n, 500);
    }

    /** Answer this status (and "boom") to the next n requests. */
    public void failNext(int n, int status) {
        failStatus = status;
        failuresLeft.set(n);
    }

    /** Requests answered, successful or not. */
    public int answered() {
        return answered.get();
    }

    /** @return the next request delivered successfully, or null after the timeout */
    public Request next(Duration timeout) throws InterruptedException {
        return requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Requests delivered successfully and not yet taken. */
    public List<Request> drain() {
        List<Request> out = new ArrayList<>();
        requests.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
