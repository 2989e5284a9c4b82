package dev.odin.home;

import jakarta.servlet.RequestDispatcher;
import java.util.function.IntSupplier;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Plain-text answers on the OTLP/HTTP port where Spring would show its Whitelabel page: {@code /}
 * says what the port is (ODIN's OTLP receiver, where to POST, where gRPC and the home page
 * are), and every error the container would render (404 for a path nothing serves, 405, the
 * 503 while starting) is a short text naming the status. {@code /} answers GET and HEAD only
 * (405 otherwise); it reveals nothing a token protects, so it needs none.
 */
@RestController
public final class OtlpPortAnswers implements ErrorController {

    static final int MAX_PATH_SHOWN = 200;
    private static final MediaType TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final IntSupplier grpcPort;
    private final IntSupplier managementPort;

    /**
     * @param grpcPort the OTLP/gRPC port (0: the gRPC receiver is off, -1: not bound yet)
     * @param managementPort the management port (home page, /metrics, /health)
     */
    public OtlpPortAnswers(IntSupplier grpcPort, IntSupplier managementPort) {
        this.grpcPort = grpcPort;
        this.managementPort = managementPort;
    }

    String about() {
        int grpcPort = this.grpcPort.getAsInt();
        int managementPort = this.managementPort.getAsInt();
        return "ODIN: OpenTelemetry (OTLP) receiver.\n\n"
                + "POST OTLP here over HTTP (http/protobuf or http/json):\n"
                + "  /v1/metrics  /v1/logs  /v1/traces\n"
                + (grpcPort > 0 ? "OTLP/gRPC listens on port " + grpcPort + ".\n"
                        : grpcPort < 0 ? "OTLP/gRPC is not listening yet (starting).\n" : "OTLP/gRPC is switched off.\n")
                + "\nFor Claude Code:\n"
                + "  export CLAUDE_CODE_ENABLE_TELEMETRY=1\n"
                + "  export OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp\n"
                + "  export OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://<this host>:"
                + (grpcPort > 0 ? grpcPort : 4317) + "\n"
                + "\nThe home page (what ODIN receives and sends), /metrics, /health and /usage are on the management"
                + " port " + managementPort + ": http://<this host>:" + managementPort + "/\n"
                + "Docs: " + StatusReport.DOCS_URL + "\n";
    }

    /** {@code GET /} and {@code HEAD /} on the OTLP/HTTP port. */
    @RequestMapping(path = "/", method = {RequestMethod.GET, RequestMethod.HEAD, RequestMethod.POST, RequestMethod.PUT,
        RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.OPTIONS})
    public ResponseEntity<String> root(HttpServletRequest request) {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).header(HttpHeaders.ALLOW, "GET, HEAD")
                    .contentType(TEXT).body("405 Method Not Allowed: / answers GET and HEAD; OTLP is POSTed to"
                            + " /v1/metrics, /v1/logs or /v1/traces\n");
        }
        return ResponseEntity.ok().contentType(TEXT).body(about());
    }

    /** The container's error page on this port, as text instead of Whitelabel's HTML or JSON. */
    @RequestMapping("${server.error.path:${error.path:/error}}")
    public ResponseEntity<String> error(HttpServletRequest request) {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer s ? s : 500;
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known == null ? "Error" : known.getReasonPhrase();
        String path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String p ? p : "";
        if (path.length() > MAX_PATH_SHOWN) {
            path = path.substring(0, MAX_PATH_SHOWN) + "...";
        }
        String body;
        if (status == 404) {
            body = "404 Not Found: nothing is served at " + path + " on ODIN's OTLP/HTTP port. OTLP is POSTed to"
                    + " /v1/metrics, /v1/logs or /v1/traces; GET / says more.\n";
        } else if (status == 405) {
            body = "405 Method Not Allowed: " + path + " does not take " + request.getMethod() + ".\n";
        } else {
            // ODIN's own refusals (sendError: 400s, 503 while starting) say why; an exception that
            // reached the container would say its words, which a client (unauthenticated, on the
            // error dispatch) is not told: the log has them
            Object message = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) != null ? null
                    : request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            String m = message == null ? "" : String.valueOf(message);
            body = status + " " + reason + (m.isBlank() ? "" : ": " + (m.length() > MAX_PATH_SHOWN
                    ? m.substring(0, MAX_PATH_SHOWN) + "..." : m)) + "\n";
        }
        return ResponseEntity.status(status).contentType(TEXT).body(body);
    }
}
