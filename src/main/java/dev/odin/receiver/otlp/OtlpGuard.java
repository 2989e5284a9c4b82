package dev.odin.receiver.otlp;

import dev.odin.signal.Signal;
import dev.odin.signal.Transport;

/**
 * The one place that decides whether an OTLP request may come in, for both transports: who the
 * caller is (bearer token to tenant), whether ODIN can take the request now (admission, by what
 * the decoded request costs), and how large it may be. The OTLP/HTTP path
 * (ReceiverAuthenticationFilter, BodyIntake, OtlpHttpDecoder) and the OTLP/gRPC path
 * ({@link GrpcAuthentication}, {@link OtlpGrpcServices}) ask this class; they only turn its
 * answers into their transport's status codes.
 */
public final class OtlpGuard {

    /**
     * The size limits.
     *
     * @param maxRequestBytes an OTLP/HTTP body as sent (odin.otlp.max-request-size)
     * @param maxDecompressedBytes an OTLP/HTTP body once inflated (odin.otlp.max-decompressed-size)
     * @param maxGrpcMessageBytes an OTLP/gRPC message once inflated (odin.otlp.grpc.max-message-size)
     */
    public record Limits(long maxRequestBytes, long maxDecompressedBytes, long maxGrpcMessageBytes) {
    }

    private final TokenAuthenticator tokens;
    private final AdmissionControl admission;
    private final Limits limits;

    /**
     * @param tokens the OTLP tokens, null when authentication is off (odin.auth.tokens-file unset)
     */
    public OtlpGuard(TokenAuthenticator tokens, AdmissionControl admission, Limits limits) {
        this.tokens = tokens;
        this.admission = admission;
        this.limits = limits;
    }

    // --- authentication

    /** Whether OTLP requests need a bearer token. */
    public boolean authenticates() {
        return tokens != null;
    }

    /**
     * Who sent a request, from its Authorization value (null when absent); not counted. Without
     * authentication, null.
     */
    public TokenAuthenticator.Outcome authenticate(String authorization) {
        return tokens == null ? null : tokens.evaluate(authorization);
    }

    /** Counts a refused request in odin_auth_refused_total{transport,reason}. */
    public void refused(TokenAuthenticator.Outcome outcome, Transport transport) {
        if (tokens != null && outcome != null && !outcome.allowed()) {
            tokens.countRefusal(outcome, transport.tag());
        }
    }

    /** {@link #authenticate} and, for a refusal, {@link #refused}: for a transport that refuses at once. */
    public TokenAuthenticator.Outcome check(String authorization, Transport transport) {
        TokenAuthenticator.Outcome o = authenticate(authorization);
        refused(o, transport);
        return o;
    }

    // --- admission

    /**
     * Whether ODIN would take any request now (shutting down, over its memory limit, the event
     * queue full), before a request's body is read: it costs nothing yet.
     */
    public AdmissionControl.Decision admitAny(Signal signal, Transport transport) {
        return admission.admit(signal.tag(), transport.tag(), 0);
    }

    /**
     * Admits a request by what it costs decoded ({@link AdmissionControl#cost}); an admitted one
     * holds its ticket until it is answered.
     *
     * @param json the body is OTLP/JSON (costlier to decode than protobuf)
     */
    public AdmissionControl.Decision admit(Signal signal, Transport transport, long decodedBytes, boolean json) {
        return admission.admit(signal.tag(), transport.tag(), admission.cost(decodedBytes, json));
    }

    /** The delay a retryable refusal suggests: HTTP Retry-After, in seconds. */
    public long retryAfterSeconds() {
        return admission.retryAfterSeconds();
    }

    /** The delay a retryable refusal suggests: gRPC RetryInfo, in milliseconds. */
    public long retryAfterMillis() {
        return admission.retryAfterMillis();
    }

    // --- limits

    public Limits limits() {
        return limits;
    }

    /** The most an OTLP/gRPC message may inflate to, for grpc-java's maxInboundMessageSize. */
    public int maxGrpcMessageBytes() {
        return (int) Math.min(Integer.MAX_VALUE, limits.maxGrpcMessageBytes());
    }

    /** Why an OTLP/gRPC message was refused for its size (RESOURCE_EXHAUSTED). */
    public String grpcTooLarge() {
        return "the message inflates to more than the limit of " + maxGrpcMessageBytes()
                + " bytes (odin.otlp.grpc.max-message-size)";
    }

    /** Why an OTLP/HTTP body was refused for its size as sent (413), with the setting when asked. */
    public String requestTooLarge(long declared, boolean withSetting) {
        return "request body of " + declared + " bytes is larger than the limit of " + limits.maxRequestBytes()
                + " bytes" + (withSetting ? " (odin.otlp.max-request-size)" : "");
    }
}
