package dev.odin.otlp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the OTLP/HTTP paths before Camel's HTTP binding sees a request. That binding reads the
 * whole body into a stream cache and inflates gzip while doing so, both without any limit, so a
 * large body or a gzip bomb would be in memory before a route could refuse it. This filter reads
 * the body itself within the wire-size limit (413 past it, without reading further) and hides
 * Content-Encoding from Camel, passing it on as {@value #ENCODING_HEADER} so that the route's
 * decoder inflates it within the decoded-size limit. A Content-Type no OTLP body has is refused
 * (415) before any of the body is read: Camel would otherwise parse a form-encoded body into
 * parameters and fail on it.
 */
public final class OtlpHttpBodyGuard extends OncePerRequestFilter {

    /** The request's Content-Encoding as the decoder sees it. */
    public static final String ENCODING_HEADER = "Odin-Content-Encoding";

    private final long maxWireBytes;
    private final ExportResponses responses;

    public OtlpHttpBodyGuard(long maxWireBytes, ExportResponses responses) {
        this.maxWireBytes = maxWireBytes;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = OtlpHttpDecoder.mediaType(request.getContentType());
        if (!OtlpHttpDecoder.supported(type)) {
            OtlpRequestException e = OtlpHttpDecoder.unsupported(type);
            responses.failure(OtlpHttpErrors.signalOf(request), Transport.HTTP, e.outcome());
            response.setHeader("Connection", "close"); // the body is not read
            OtlpHttpErrors.write(response, true, e.httpStatus(), e.grpcCode(), e.getMessage());
            return;
        }
        long declared = request.getContentLengthLong();
        byte[] body = declared > maxWireBytes ? null : RequestBody.readWithin(request.getInputStream(), maxWireBytes);
        if (body == null) {
            refuse(request, response, declared > 0
                    ? "request body of " + declared + " bytes is larger than the limit of " + maxWireBytes + " bytes"
                    : "request body is larger than the limit of " + maxWireBytes + " bytes");
            return;
        }
        chain.doFilter(new GuardedRequest(request, body), response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String message) throws IOException {
        responses.failure(OtlpHttpErrors.signalOf(request), Transport.HTTP, "too_large");
        // the rest of the body is not read: tell the client the connection is done
        response.setHeader("Connection", "close");
        OtlpHttpErrors.write(request, response, 413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, message);
    }

    /** A request whose body was read within the limit; also used by the Alertmanager webhook guard. */
    public static final class GuardedRequest extends HttpServletRequestWrapper {
        private final byte[] body;
        private final String encoding;

        public GuardedRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
            this.encoding = request.getHeader("Content-Encoding");
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
                    throw new UnsupportedOperationException("blocking reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public int available() {
                    return in.available();
                }
            };
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
            if ("Content-Encoding".equalsIgnoreCase(name)) {
                return null;
            }
            if (ENCODING_HEADER.equalsIgnoreCase(name)) {
                return encoding;
            }
            if ("Content-Length".equalsIgnoreCase(name)) {
                return Integer.toString(body.length);
            }
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String v = getHeader(name);
            if ("Content-Encoding".equalsIgnoreCase(name) || ENCODING_HEADER.equalsIgnoreCase(name)
                    || "Content-Length".equalsIgnoreCase(name)) {
                return v == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(v));
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String n = e.nextElement();
                if (!"Content-Encoding".equalsIgnoreCase(n) && !ENCODING_HEADER.equalsIgnoreCase(n)) {
                    names.add(n);
                }
            }
            if (encoding != null) {
                names.add(ENCODING_HEADER);
            }
            return Collections.enumeration(names);
        }
    }
}
