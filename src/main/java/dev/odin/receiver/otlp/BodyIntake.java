package dev.odin.receiver.otlp;

import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the body of every request to a receiver (OTLP/HTTP and the Alertmanager webhook)
 * after Spring Security has let it through, and before any handler: the one place where HTTP
 * bodies are checked, read, inflated and admitted.
 *
 * <ol>
 *   <li>Refused before a byte of the body is read, and the connection closed: a content type the
 *       receiver does not take (415), a declared length over the limit (413), too many bodies
 *       being received from this client or at all (429 / 503 with Retry-After).</li>
 *   <li>Read without holding a thread (servlet non-blocking I/O): a client that sends one byte a
 *       second costs a connection and its bytes, not one of Tomcat's threads, and its whole body
 *       must arrive within {@code odin.http.body-timeout} (408 after it). Past the size limit
 *       reading stops (413). Chunked bodies count as they arrive.</li>
 *   <li>Inflated (gzip, deflate) within the decoded-size limit, then admitted by what the decoded
 *       request will cost in memory ({@link AdmissionControl}; for OTLP, as the receiver's
 *       {@link OtlpGuard} decides for both transports); refused with 503 + Retry-After
 *       when that does not fit.</li>
 *   <li>Dispatched again to the handler with the decoded body in memory; the admission ticket is
 *       held until the request is complete ({@link #releaser()}).</li>
 * </ol>
 */
public final class BodyIntake extends HttpFilter {

    private static final Logger log = LoggerFactory.getLogger(BodyIntake.class);

    /** Request attribute: the decoded body, set once it was read and admitted. */
    static final String BODY = BodyIntake.class.getName() + ".body";
    /** Request attribute: the admission ticket, closed when the request is complete. */
    static final String TICKET = BodyIntake.class.getName() + ".ticket";

    /** What one receiver takes. */
    public record Limits(long maxWireBytes, long maxDecodedBytes) {
    }

    private final OtlpGuard guard;
    private final Limits otlp;
    private final Limits webhook;
    private final Duration bodyTimeout;
    private final Reception reception;
    private final AdmissionControl admission;
    private final ExportResponses responses;
    private final WebhookMetrics webhookMetrics;
    private final MeterRegistry registry;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    /** @param guard the OTLP receiver's guard: OTLP bodies' limits and admission */
    public BodyIntake(OtlpGuard guard, Limits webhook, Duration bodyTimeout, Reception reception, AdmissionControl admission, ExportResponses responses, WebhookMetrics webhookMetrics,
            MeterRegistry registry) {
        this.guard = guard;
        this.otlp = new Limits(guard.limits().maxRequestBytes(), guard.limits().maxDecompressedBytes());
        this.webhook = webhook;
        this.bodyTimeout = bodyTimeout;
        this.reception = reception;
        this.admission = admission;
        this.responses = responses;
        this.webhookMetrics = webhookMetrics;
        this.registry = registry;
        Gauge.builder("odin.http.bodies.receiving", reception, Reception::bodies)
                .description("Request bodies being received (without a thread) right now").register(registry);
        Gauge.builder("odin.http.bodies.receiving.bytes", reception, Reception::bytes).baseUnit("bytes")
                .description("Bytes of the request bodies being received, buffered so far").register(registry);
    }

    /** Closes a request's admission ticket when the request is complete, however it ended. */
    public static ServletRequestListener releaser() {
        return new ServletRequestListener() {
            @Override
            public void requestDestroyed(ServletRequestEvent sre) {
                if (sre.getServletRequest().getAttribute(TICKET) instanceof AdmissionControl.Ticket t) {
                    t.close();
                }
            }
        };
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            // the dispatch this filter asked for once the body was in (and any later one of Spring MVC's)
            if (request.getAttribute(BODY) instanceof byte[] body) {
                chain.doFilter(new ReadRequest(request, body), response);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        String path = RoutedPath.of(request);
        boolean isWebhook = RoutedPath.isAlertmanager(path);
        if (!isWebhook && !RoutedPath.isOtlp(path)) {
            chain.doFilter(request, response);
            return;
        }
        Receiver r = new Receiver(request, response, isWebhook);
        if (!"POST".equals(request.getMethod())) {
            if (isWebhook) {
                response.setHeader("Allow", "POST");
                r.refuse(405, null, "method_not_allowed", path + " takes POST only");
                return;
            }
            chain.doFilter(request, response); // the route answers 405 in OTLP's format
            return;
        }
        String type = mediaType(request.getContentType());
        if (!r.accepts(type)) {
            r.refuse(415, io.grpc.Status.Code.UNIMPLEMENTED, "unsupported_media_type", isWebhook
                    ? "Content-Type " + request.getContentType()
                            + ": the webhook takes JSON (Content-Type: application/json), as Alertmanager sends it"
                    : OtlpHttpDecoder.unsupported(type).getMessage());
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > r.limits.maxWireBytes()) {
            r.refuse(413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "too_large", isWebhook ? "request body of "
                    + declared + " bytes is larger than the limit of " + r.limits.maxWireBytes() + " bytes ("
                    + r.sizeSetting() + ")" : guard.requestTooLarge(declared, true));
            return;
        }
        // refused before the body is read while ODIN would refuse any request (shutting down, over
        // its memory limit, the event queue full); the request's own cost is weighed once it is read
        AdmissionControl.Decision now = r.admit(0, false);
        if (!now.admitted()) {
            response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
            r.refuse(503, io.grpc.Status.Code.UNAVAILABLE, "overloaded", now.message());
            return;
        }
        now.ticket().close();
        Reception.Refusal busy = reception.begin(r.client);
        if (busy != null) {
            response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
            if (busy == Reception.Refusal.TOO_MANY_FROM_CLIENT) {
                r.refuse(429, io.grpc.Status.Code.UNAVAILABLE, "client_busy", "this client is already sending the"
                        + " most bodies at once that ODIN takes from one address (odin.http.max-receiving-per-client);"
                        + " retry later");
            } else {
                r.refuse(503, io.grpc.Status.Code.UNAVAILABLE, "overloaded", "ODIN is receiving the most bodies at"
                        + " once it takes (odin.http.max-receiving); retry later");
            }
            return;
        }
        r.receive(declared);
    }

    /** One request being received: its limits, its buffer, and how to answer it. */
    private final class Receiver implements ReadListener, AsyncListener {
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final boolean isWebhook;
        private final Limits limits;
        private final String client;
        private final Signal signal;
        private final AtomicBoolean finished = new AtomicBoolean();
        private AsyncContext async;
        private ServletInputStream in;
        private byte[] buffer;
        private int length;
        private long taken;
        /** An answer went out before the body was read to its end: close without reading the rest. */
        private volatile boolean closeOnComplete;

        Receiver(HttpServletRequest request, HttpServletResponse response, boolean isWebhook) {
            this.request = request;
            this.response = response;
            this.isWebhook = isWebhook;
            this.limits = isWebhook ? webhook : otlp;
            this.client = String.valueOf(request.getRemoteAddr());
            this.signal = isWebhook ? null : OtlpHttpErrors.signalOf(request);
        }

        String receiver() {
            return isWebhook ? "alertmanager" : signal.tag();
        }

        /** Admission for a body of this many decoded bytes (0: before reading it). */
        AdmissionControl.Decision admit(long decodedBytes, boolean json) {
            if (!isWebhook) {
                return decodedBytes == 0 ? guard.admitAny(signal, Transport.HTTP)
                        : guard.admit(signal, Transport.HTTP, decodedBytes, json);
            }
            return admission.admit(receiver(), "http", decodedBytes == 0 ? 0 : admission.cost(decodedBytes, true));
        }

        boolean accepts(String type) {
            if (isWebhook) {
                return !type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/");
            }
            return OtlpHttpDecoder.supported(type);
        }

        String sizeSetting() {
            return isWebhook ? "odin.alerting.webhook.max-body-size" : "odin.otlp.max-request-size";
        }

        void receive(long declared) throws IOException {
            int first = (int) Math.min(Math.max(declared, 4096), Math.min(65536, limits.maxWireBytes()));
            if (!reception.take(first)) {
                reception.end(client, 0);
                response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
                refuse(503, io.grpc.Status.Code.UNAVAILABLE, "overloaded", "ODIN is buffering the most request bytes"
                        + " it takes at once (odin.http.max-receiving-bytes); retry later");
                return;
            }
            taken = first;
            buffer = new byte[first];
            // with the request and response as Spring Security wrapped them: the dispatch below gets
            // these (the caller's tenant, no credentials), and the chain does not run again on it
            async = request.startAsync(request, response);
            async.setTimeout(bodyTimeout.toMillis());
            async.addListener(this);
            in = request.getInputStream();
            in.setReadListener(this);
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (!finished.get() && in.isReady()) {
                if (length == buffer.length) {
                    long max = limits.maxWireBytes();
                    if (length >= max) {
                        // one more byte would pass the limit: see whether the body ends here
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        tooLarge();
                        return;
                    }
                    int grown = (int) Math.min(max, (long) buffer.length * 2);
                    if (!reception.take(grown - buffer.length)) {
                        busy();
                        return;
                    }
                    taken += grown - buffer.length;
                    buffer = Arrays.copyOf(buffer, grown);
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    return;
                }
                length += n;
            }
        }

        @Override
        public void onAllDataRead() throws IOException {
            if (finished.get()) {
                return;
            }
            byte[] decoded;
            try {
                String encoding = request.getHeader("Content-Encoding");
                decoded = RequestBody.read(new ByteArrayInputStream(buffer, 0, length), limits.maxWireBytes(),
                        encoding, limits.maxDecodedBytes());
            } catch (OtlpRequestException e) {
                finish(e.httpStatus(), e.grpcCode(), e.outcome(), e.getMessage() + (e.httpStatus() == 413
                        ? " (" + (isWebhook ? "odin.alerting.webhook.max-body-size" : "odin.otlp.max-decompressed-size") + ")"
                        : ""), false);
                return;
            }
            boolean json = mediaType(request.getContentType()).equals("application/json");
            AdmissionControl.Decision d = admit(decoded.length, json);
            if (!d.admitted()) {
                response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
                finish(503, io.grpc.Status.Code.UNAVAILABLE, "overloaded", d.message(), false);
                return;
            }
            if (!finished.compareAndSet(false, true)) {
                d.ticket().close();
                return;
            }
            reception.end(client, taken);
            buffer = null;
            request.setAttribute(TICKET, d.ticket());
            request.setAttribute(BODY, decoded);
            async.dispatch();
        }

        @Override
        public void onError(Throwable t) {
            // the client went away or the read failed: nothing to answer
            if (finished.compareAndSet(false, true)) {
                reception.end(client, taken);
                count("aborted");
                log.debug("request body from {} not received: {}", client, t.toString());
                try {
                    async.complete();
                } catch (IllegalStateException ignored) {
                    // already completed by the container
                }
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            if (!finished.get()) {
                finish(408, io.grpc.Status.Code.DEADLINE_EXCEEDED, "timeout", "the request body did not arrive within "
                        + bodyTimeout.toSeconds() + " s (odin.http.body-timeout); " + length + " bytes came", true);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (finished.compareAndSet(false, true)) {
                reception.end(client, taken);
            }
            if (closeOnComplete) {
                TomcatConnections.stopReading(request);
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        private void tooLarge() throws IOException {
            finish(413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "too_large", "request body is larger than the limit of "
                    + limits.maxWireBytes() + " bytes (" + sizeSetting() + ")", true);
        }

        private void busy() throws IOException {
            response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
            finish(503, io.grpc.Status.Code.UNAVAILABLE, "overloaded", "ODIN is buffering the most request bytes it"
                    + " takes at once (odin.http.max-receiving-bytes); retry later", true);
        }

        /**
         * Answers during or after reception and ends the request; {@code close} when the body was not
         * read to its end (it will not be).
         */
        private void finish(int status, io.grpc.Status.Code code, String outcome, String message, boolean close)
                throws IOException {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            reception.end(client, taken);
            buffer = null;
            try {
                if (close) {
                    response.setHeader("Connection", "close");
                    closeOnComplete = true;
                }
                write(status, code, outcome, message, false);
            } finally {
                async.complete();
            }
        }

        /** Answers before reception started. */
        void refuse(int status, io.grpc.Status.Code code, String outcome, String message) throws IOException {
            write(status, code, outcome, message, true);
        }

        private void write(int status, io.grpc.Status.Code code, String outcome, String message, boolean close)
                throws IOException {
            count(outcome);
            if (close) {
                // whatever is left of the body is not read: the connection is done
                TomcatConnections.closeWithoutReading(request, response);
            }
            if (isWebhook) {
                webhookMetrics.refused(outcome.equals("too_large") ? "too_large"
                        : outcome.equals("overloaded") || outcome.equals("client_busy") ? "overloaded" : "invalid");
                ReceiverRefusals.json(response, status, message);
            } else {
                responses.failure(signal, Transport.HTTP, outcome);
                if (status == 415 && !accepts(mediaType(request.getContentType()))) {
                    // the client's content type is none of OTLP's: answer in the readable one
                    OtlpHttpErrors.write(response, true, status, code, message);
                } else {
                    OtlpHttpErrors.write(request, response, status, code, message);
                }
            }
            response.flushBuffer();
        }

        private void count(String outcome) {
            refusals.computeIfAbsent((isWebhook ? "alertmanager/" : signal.tag() + "/") + outcome,
                    k -> Counter.builder("odin.http.bodies.refused")
                            .description("Request bodies refused while being received, by receiver and reason")
                            .tag("receiver", isWebhook ? "alertmanager" : signal.tag()).tag("reason", outcome)
                            .register(registry)).increment();
        }
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }
}
