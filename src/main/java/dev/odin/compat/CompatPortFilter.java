package dev.odin.compat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What the Collector's ports answer, decided by the port a request arrived on (the management
 * server's own port is left alone):
 * <ul>
 * <li>the metrics port: {@code /metrics} goes on to the scrape endpoint (the same negotiation and
 * limits as on the management port); any other path is 404, as the prometheus exporter's;
 * <li>the health port: GET and HEAD on any path get the health_check extension's answer (its
 * handler is mounted on "/", which Go's ServeMux matches for every path); other methods 405.
 * </ul>
 * Neither reads a request body: a client that sends one gets its answer and the connection closed.
 */
public final class CompatPortFilter extends OncePerRequestFilter {

    private static final byte[] NOT_FOUND = "404 page not found\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NOT_ALLOWED = "405 method not allowed: GET or HEAD\n".getBytes(StandardCharsets.UTF_8);

    private final IntSupplier metricsPort;
    private final IntSupplier healthPort;
    private final CollectorHealth health;

    /** The ports as bound (suppliers: a port of 0 is known once its connector has started). */
    public CompatPortFilter(IntSupplier metricsPort, IntSupplier healthPort, CollectorHealth health) {
        this.metricsPort = metricsPort;
        this.healthPort = healthPort;
        this.health = health;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        int port = request.getLocalPort();
        if (port == healthPort.getAsInt()) {
            answerHealth(request, response);
        } else if (port == metricsPort.getAsInt()) {
            // the raw path, compared exactly: /metrics;x, //metrics, /metrics/ are not it
            if ("/metrics".equals(request.getRequestURI())) {
                chain.doFilter(request, response);
            } else {
                write(response, HttpServletResponse.SC_NOT_FOUND, "text/plain; charset=utf-8", NOT_FOUND, request);
            }
        } else {
            chain.doFilter(request, response);
        }
    }

    private void answerHealth(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            write(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", NOT_ALLOWED,
                    request);
            return;
        }
        CollectorHealth.Answer a = health.answer();
        write(response, a.status(), "application/json", a.body(), request);
    }

    private static void write(HttpServletResponse response, int status, String contentType, byte[] body,
            HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() != 0 && request.getContentLengthLong() != -1
                || request.getHeader("Transfer-Encoding") != null) {
            // a body nobody reads: answer and close rather than drain it on this thread
            response.setHeader("Connection", "close");
        }
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
