package dev.odin.admission;

import dev.odin.alerting.WebhookGuard;
import dev.odin.otlp.ExportResponses;
import dev.odin.otlp.OtlpHttpErrors;
import dev.odin.otlp.Signal;
import dev.odin.otlp.Transport;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admission for the HTTP receivers (OTLP/HTTP and the Alertmanager webhook): a refused request
 * is answered 503 with Retry-After before its body is read, which OTLP exporters and
 * Alertmanager both retry; an admitted one holds its ticket until the answer is written.
 */
public final class AdmissionFilter extends OncePerRequestFilter {

    private final AdmissionControl admission;
    private final ExportResponses responses;

    public AdmissionFilter(AdmissionControl admission, ExportResponses responses) {
        this.admission = admission;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean webhook = request.getRequestURI().startsWith(WebhookGuard.PATH);
        Signal signal = webhook ? null : OtlpHttpErrors.signalOf(request);
        String receiver = webhook ? "alertmanager" : signal.tag();
        AdmissionControl.Decision d = admission.admit(receiver, "http", Math.max(0, request.getContentLengthLong()));
        if (!d.admitted()) {
            response.setHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
            response.setHeader("Connection", "close"); // the body is not read
            if (webhook) {
                WebhookGuard.answer(response, 503, d.message());
            } else {
                responses.failure(signal, Transport.HTTP, "overloaded");
                OtlpHttpErrors.write(request, response, 503, io.grpc.Status.Code.UNAVAILABLE, d.message());
            }
            return;
        }
        try (AdmissionControl.Ticket ticket = d.ticket()) {
            chain.doFilter(request, response);
        }
    }
}
