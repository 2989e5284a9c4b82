package dev.odin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for Anthropic's Messages API (POST /v1/messages), enough for the real
 * Claude Code CLI: checks the x-api-key, answers a streamed request with the server-sent events
 * the real API sends (message_start with the usage, a text block, message_delta with the final
 * output tokens and stop reason, message_stop) and a non-streamed one with the message JSON. The
 * usage of each answer, cache writes by lifetime included, is what {@link #usage} set for the
 * requested model, else the default. Anything else is answered 404 as the API does.
 */
public final class StandInAnthropic implements AutoCloseable {

    /** The tokens of one answer; cache writes are split into 5-minute and 1-hour ones. */
    public record Usage(long input, long output, long cacheWrite5m, long cacheWrite1h, long cacheRead) {
    }

    /**
     * What else an answer's usage says for its price, as the API reports it: {@code speed}
     * ("standard", "fast"), {@code inference_geo} ("us" for US-only inference; "" global) and
     * {@code server_tool_use.web_search_requests}. A null speed or region is left out.
     */
    public record Billing(String speed, String inferenceGeo, long webSearchRequests) {
    }

    /** One request received: the model asked for, whether streamed, the whole JSON body. */
    public record Request(String model, boolean stream, JsonNode body) {
    }

    public static final String API_KEY = "sk-ant-api03-odin-test-not-a-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();
    private final Map<String, Billing> billing = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Usage fallback = new Usage(1200, 42, 800, 200, 4000);
    private volatile String text = "Hello from the stand-in.";

    public StandInAnthropic() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "stand-in-anthropic");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** A started stand-in, for static fields of a test class. */
    public static StandInAnthropic start() {
        try {
            return new StandInAnthropic();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The ANTHROPIC_BASE_URL for the CLI. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The usage answered for requests of {@code model}. */
    public StandInAnthropic usage(String model, Usage u) {
        usage.put(model, u);
        return this;
    }

    /** The speed, region and web searches answered for requests of {@code model} (default: none said). */
    public StandInAnthropic billing(String model, Billing b) {
        billing.put(model, b);
        return this;
    }

    /** The usage answered for models without their own. */
    public StandInAnthropic usage(Usage u) {
        fallback = u;
        return this;
    }

    /** The assistant's reply text. */
    public StandInAnthropic text(String reply) {
        text = reply;
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (!"POST".equals(ex.getRequestMethod()) || !"/v1/messages".equals(path)) {
                error(ex, 404, "not_found_error", "Not found: " + path);
                return;
            }
            if (!API_KEY.equals(ex.getRequestHeaders().getFirst("x-api-key"))) {
                error(ex, 401, "authentication_error", "invalid x-api-key");
                return;
            }
            JsonNode req;
            try {
                req = JSON.readTree(body);
            } catch (IOException e) {
                error(ex, 400, "invalid_request_error", "body is not JSON");
                return;
            }
            String model = req.path("model").asText("");
            boolean stream = req.path("stream").asBoolean(false);
            requests.add(new Request(model, stream, req));
            Usage u = usage.getOrDefault(model, fallback);
            String id = "msg_standin_" + ids.incrementAndGet();
            if (stream) {
                stream(ex, id, model, u);
            } else {
                ObjectNode m = message(id, model, u, u.output());
                m.put("stop_reason", "end_turn");
                m.putArray("content").addObject().put("type", "text").put("text", text);
                send(ex, 200, "application/json", JSON.writeValueAsBytes(m));
            }
        }
    }

    private ObjectNode message(String id, String model, Usage u, long output) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
        m.putArray("content");
        m.putNull("stop_reason");
        m.putNull("stop_sequence");
        ObjectNode usage = m.putObject("usage");
        usage.put("input_tokens", u.input()).put("cache_creation_input_tokens", u.cacheWrite5m() + u.cacheWrite1h())
                .put("cache_read_input_tokens", u.cacheRead());
        usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", u.cacheWrite5m())
                .put("ephemeral_1h_input_tokens", u.cacheWrite1h());
        usage.put("output_tokens", output).put("service_tier", "standard");
        Billing b = billing.get(model);
        if (b != null) {
            serverToolUse(usage, b);
            if (b.speed() != null) {
                usage.put("speed", b.speed());
            }
            if (b.inferenceGeo() != null) {
                usage.put("inference_geo", b.inferenceGeo());
            }
        }
        return m;
    }

    private void stream(HttpExchange ex, String id, String model, Usage u) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("request-id", "req_standin_" + id);
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        start.set("message", message(id, model, u, 1));
        event(out, "message_start", start);
        ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        event(out, "content_block_start", blockStart);
        event(out, "ping", JSON.createObjectNode().put("type", "ping"));
        ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", text);
        event(out, "content_block_delta", delta);
        event(out, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
        ObjectNode end = JSON.createObjectNode().put("type", "message_delta");
        end.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        ObjectNode endUsage = end.putObject("usage").put("output_tokens", u.output());
        Billing b = billing.get(model);
        if (b != null) {
            serverToolUse(endUsage, b); // the final count, as the API sends it with the output tokens
        }
        event(out, "message_delta", end);
        event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
    }

    private static void serverToolUse(ObjectNode usage, Billing b) {
        usage.putObject("server_tool_use").put("web_search_requests", b.webSearchRequests()).put("web_fetch_requests", 0);
    }

    private static void event(OutputStream out, String name, JsonNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode().put("type", "error");
        e.putObject("error").put("type", type).put("message", message);
        send(ex, status, "application/json", JSON.writeValueAsBytes(e));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
