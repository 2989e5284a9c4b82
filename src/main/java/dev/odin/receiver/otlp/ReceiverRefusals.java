package dev.odin.receiver.otlp;

import dev.odin.receiver.alertmanager.WebhookCredentials;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.signal.Transport;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.receiver.alertmanager.WebhookCredentials;
import dev.odin.signal.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * How the HTTP listeners say no before a handler runs: 401 for a caller without the credentials a
 * path needs (Spring Security's entry point and access-denied handler), 400 for a path the strict
 * firewall refuses (path parameters, encoded slashes, dots or percent signs, double slashes,
 * dot segments). Every answer has a message in the receiver's own format and closes the
 * connection, so a body that was never read is not read afterwards either.
 */
public final class ReceiverRefusals implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(ReceiverRefusals.class);

    private final OtlpGuard guard;
    private final WebhookCredentials webhook;
    private final ExportResponses responses;
    private final WebhookMetrics webhookMetrics;
    private final MeterRegistry registry;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    public ReceiverRefusals(OtlpGuard guard, WebhookCredentials webhook, ExportResponses responses,
            WebhookMetrics webhookMetrics, MeterRegistry registry) {
        this.guard = guard;
        this.webhook = webhook;
        this.responses = responses;
        this.webhookMetrics = webhookMetrics;
        this.registry = registry;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        unauthorized(request, response);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        unauthorized(request, response);
    }

    private void unauthorized(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = RoutedPath.of(request);
        TomcatConnections.closeWithoutReading(request, response);
        if (RoutedPath.isOtlp(path)) {
            TokenAuthenticator.Outcome o = (TokenAuthenticator.Outcome) request
                    .getAttribute(ReceiverAuthenticationFilter.OUTCOME_ATTRIBUTE);
            String message = o == null || o.allowed() ? "missing credentials: send 'Authorization: Bearer <token>'"
                    : o.message();
            guard.refused(o, Transport.HTTP);
            responses.failure(OtlpHttpErrors.signalOf(request), Transport.HTTP, "unauthenticated");
            response.setHeader("WWW-Authenticate", "Bearer realm=\"odin\"");
            OtlpHttpErrors.write(request, response, 401, io.grpc.Status.Code.UNAUTHENTICATED, message);
        } else if (RoutedPath.isAlertmanager(path)) {
            webhookMetrics.refused("unauthorized");
            response.setHeader("WWW-Authenticate", webhook.challenge());
            json(response, 401, "missing or wrong credentials for " + path);
        } else {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"odin\"");
            json(response, 401, "credentials required for " + path);
        }
        response.flushBuffer();
    }

    /** A path the strict firewall refuses: 400 with the reason, counted, logged at debug only. */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        String reason = reason(e.getMessage());
        rejected.computeIfAbsent(reason, r -> Counter.builder("odin.http.requests.rejected")
                .description("HTTP requests refused by the strict firewall before any handler, by reason")
                .tag("reason", r).register(registry)).increment();
        log.debug("request rejected by the firewall: {}", e.getMessage());
        TomcatConnections.closeWithoutReading(request, response);
        json(response, 400, "request rejected: " + e.getMessage()
                + " (ODIN serves only plain paths such as /v1/metrics: no path parameters, encoded slashes,"
                + " dots or percent signs, double slashes or dot segments)");
        response.flushBuffer();
    }

    /** A bounded tag from the firewall's message ("The request was rejected because the URL contained ..."). */
    static String reason(String message) {
        String m = message == null ? "" : message.toLowerCase();
        if (m.contains(";")) {
            return "semicolon";
        }
        if (m.contains("%2f") || m.contains("%5c") || m.contains("encoded slash") || m.contains("backslash")) {
            return "encoded_slash";
        }
        if (m.contains("%2e") || m.contains("encoded period")) {
            return "encoded_period";
        }
        if (m.contains("%25") || m.contains("encoded percent")) {
            return "encoded_percent";
        }
        if (m.contains("//") || m.contains("double slash")) {
            return "double_slash";
        }
        if (m.contains("normalized")) {
            return "not_normalized";
        }
        if (m.contains("method")) {
            return "method";
        }
        if (m.contains("header")) {
            return "header";
        }
        return "other";
    }

    public static void json(HttpServletResponse response, int status, String message) throws IOException {
        byte[] bytes = ("{\"status\":\"error\",\"error\":\"" + escape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String escape(String s) {
        return new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s));
    }
}
