package dev.odin.alerting;

import dev.odin.otlp.OtlpHttpBodyGuard;
import dev.odin.otlp.RequestBody;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In front of the webhook route: checks Alertmanager's credentials (basic auth or a bearer
 * token, compared in constant time) before reading anything, then reads the body within the
 * size limit, so neither an unauthenticated caller nor a huge body costs memory. 401 and 413
 * are answered here, with a message; the route gets the body as bytes.
 */
public final class WebhookGuard extends OncePerRequestFilter {

    public static final String PATH = "/alertmanager/webhook";

    private final byte[] expectedBasic;
    private final byte[] expectedBearer;
    private final long maxBodyBytes;
    private final WebhookMetrics metrics;

    /**
     * @param basic "user:password", or null when basic auth is not configured
     * @param bearer the token, or null
     */
    public WebhookGuard(String basic, String bearer, long maxBodyBytes, WebhookMetrics metrics) {
        this.expectedBasic = basic == null ? null
                : ("Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
        this.expectedBearer = bearer == null ? null : ("Bearer " + bearer).getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    public boolean authenticates() {
        return expectedBasic != null || expectedBearer != null;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().equals(PATH);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (authenticates() && !authorized(request.getHeader("Authorization"))) {
            metrics.refused("unauthorized");
            response.setHeader("WWW-Authenticate", expectedBasic != null ? "Basic realm=\"odin\"" : "Bearer");
            answer(response, 401, "missing or wrong credentials for " + PATH);
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            answer(response, 405, PATH + " takes POST only");
            return;
        }
        String type = String.valueOf(request.getContentType()).toLowerCase();
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            metrics.refused("invalid");
            answer(response, 415, "Content-Type " + request.getContentType()
                    + ": the webhook takes JSON (Content-Type: application/json), as Alertmanager sends it");
            return;
        }
        long declared = request.getContentLengthLong();
        byte[] body = declared > maxBodyBytes ? null : RequestBody.readWithin(request.getInputStream(), maxBodyBytes);
        if (body == null) {
            metrics.refused("too_large");
            response.setHeader("Connection", "close");
            answer(response, 413, "body larger than the limit of " + maxBodyBytes
                    + " bytes (odin.alerting.webhook.max-body-size)");
            return;
        }
        chain.doFilter(new OtlpHttpBodyGuard.GuardedRequest(request, body), response);
    }

    private boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        byte[] got = header.trim().getBytes(StandardCharsets.UTF_8);
        boolean basic = expectedBasic != null && MessageDigest.isEqual(got, expectedBasic);
        boolean bearer = expectedBearer != null && MessageDigest.isEqual(got, expectedBearer);
        return basic | bearer;
    }

    public static void answer(HttpServletResponse response, int status, String message) throws IOException {
        byte[] bytes = ("{\"status\":\"error\",\"error\":" + WebhookDecoder.JSON.writeValueAsString(message) + "}")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
