package dev.odin.receiver.otlp;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The limiter in front of the receivers ({@code odin.admission.*}); docs/security.md. Past any
 * of these soft limits a request is refused with a retryable answer (HTTP 503 with Retry-After,
 * gRPC RESOURCE_EXHAUSTED with RetryInfo) before it is decoded; what was accepted is never
 * dropped to make room.
 *
 * @param maxInFlightRequests requests being received or processed at once, over all receivers
 * @param maxInFlightBytes what their decoded requests cost in memory, together: the decoded
 *        (inflated) body's size times its cost factor
 * @param protobufCostFactor heap a decoded protobuf request takes while it is handled, per byte
 *        of its (inflated) body: the message objects and the translation's working set
 * @param jsonCostFactor the same per byte of an (inflated) JSON body, which is larger than the
 *        protobuf form of the same request
 * @param heapLimit fraction of the maximum heap that live data (heap used after the last garbage
 *        collection) may take before requests are refused
 * @param queueLimit fraction of the Loki queue's size past which event requests are refused;
 *        below 1, so that what is in flight fits into the rest and drop-oldest never has to act
 * @param retryAfter the delay suggested to refused clients
 */
@ConfigurationProperties(prefix = "odin.admission")
public record AdmissionProperties(
        @DefaultValue("64") int maxInFlightRequests,
        @DefaultValue("64MB") DataSize maxInFlightBytes,
        @DefaultValue("8") double protobufCostFactor,
        @DefaultValue("3") double jsonCostFactor,
        @DefaultValue("0.85") double heapLimit,
        @DefaultValue("0.9") double queueLimit,
        @DefaultValue("5s") Duration retryAfter) {

    public AdmissionProperties {
        if (maxInFlightRequests < 1) {
            throw new IllegalArgumentException("odin.admission.max-in-flight-requests must be at least 1");
        }
        if (protobufCostFactor <= 0 || jsonCostFactor <= 0) {
            throw new IllegalArgumentException("odin.admission.protobuf-cost-factor and json-cost-factor must be positive");
        }
        if (heapLimit <= 0 || heapLimit > 1 || queueLimit <= 0 || queueLimit > 1) {
            throw new IllegalArgumentException("odin.admission.heap-limit and queue-limit are fractions in (0, 1]");
        }
    }
}
