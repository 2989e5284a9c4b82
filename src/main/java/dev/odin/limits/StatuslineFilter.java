package dev.odin.limits;

import dev.odin.receiver.otlp.TomcatConnections;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * In front of POST /api/statusline, after Spring Security (the token) and before Camel: Camel's
 * HTTP binding would read a form-encoded body whole into parameters, so the method (405), the
 * content type (415) and the size (413, by the declared length unread, or once more than
 * {@code odin.limits.max-body-size} has come) are checked here, and the route is handed the body
 * already read. A refusal closes the connection without reading the rest. At most
 * {@code odin.limits.max-concurrent-reads} bodies are read at once (503 beyond).
 */
public final class StatuslineFilter extends HttpFilter {

    private final StatuslineIntake intake;
    private final long maxBodyBytes;
    private final java.util.concurrent.Semaphore reading;

    public StatuslineFilter(StatuslineIntake intake, long maxBodyBytes, int maxConcurrentReads) {
        this.intake = intake;
        this.maxBodyBytes = maxBodyBytes;
        this.reading = new java.util.concurrent.Semaphore(maxConcurrentReads);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            refuse(request, response, 405, "method_not_allowed", "/api/statusline takes POST only");
            return;
        }
        String type = request.getContentType();
        if (!StatuslineIntake.isJson(type)) {
            refuse(request, response, 415, "unsupported_media_type", "Content-Type " + type
                    + ": the statusline is posted as JSON (Content-Type: application/json)");
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBodyBytes) {
            refuse(request, response, 413, "too_large", intake.tooLargeMessage(declared + " bytes"));
            return;
        }
        // the body is read on this thread: a client that sends it slowly holds the thread (until
        // server.tomcat.connection-timeout per pause), so only so many are read at once
        if (!reading.tryAcquire()) {
            response.setHeader("Retry-After", "1");
            refuse(request, response, 503, "busy", "too many statusline requests at once; retry later");
            return;
        }
        byte[] body;
        try {
            body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        } finally {
            reading.release();
        }
        if (body.length > maxBodyBytes) {
            refuse(request, response, 413, "too_large", intake.tooLargeMessage("more than " + maxBodyBytes + " bytes"));
            return;
        }
        chain.doFilter(new Read(request, body), response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String outcome,
            String message) throws IOException {
        intake.refused(outcome);
        TomcatConnections.closeWithoutReading(request, response);
        response.setStatus(status);
        response.setContentType("application/json");
        byte[] bytes = StatuslineIntake.error(message).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length); // complete: no error page after it
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** The request with its body read. */
    private static final class Read extends HttpServletRequestWrapper {
        private final byte[] body;

        Read(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is read already");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public String getHeader(String name) {
            if ("Content-Length".equalsIgnoreCase(name)) {
                return Integer.toString(body.length);
            }
            if ("Transfer-Encoding".equalsIgnoreCase(name)) {
                return null;
            }
            return super.getHeader(name);
        }
    }
}
