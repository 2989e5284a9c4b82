package dev.odin.receiver.otlp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers the receivers' paths with 503 + Retry-After (UNAVAILABLE in the OTLP body) until the
 * application has started. Tomcat listens before Camel has started the platform-http routes, and
 * in that window a request to /v1/metrics would get 404, which an OTLP client (another ODIN's
 * export, an SDK) must treat as a refusal for good and drop: a restart of a central ODIN would
 * lose what its senders retried into it. A 503 is retried.
 */
public final class StartingGate extends HttpFilter {

    private volatile boolean open;

    /** From now on requests go through (the application has started). */
    public void open() {
        open = true;
    }

    public boolean isOpen() {
        return open;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (open) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Retry-After", "1");
        if (RoutedPath.isOtlp(RoutedPath.of(request))) {
            OtlpHttpErrors.write(request, response, 503, io.grpc.Status.Code.UNAVAILABLE,
                    "ODIN is starting; retry later");
        } else {
            response.sendError(503, "ODIN is starting; retry later");
        }
    }
}
