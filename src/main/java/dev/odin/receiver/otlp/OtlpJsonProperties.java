package dev.odin.receiver.otlp;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on an OTLP/JSON document ({@code odin.otlp.json.*}), enforced by Jackson's
 * StreamReadConstraints while the body is parsed; past one the request is refused (400) and
 * counted as {@code odin_otlp_requests_total{outcome="json_limit"}}. The body's size is bounded
 * before (odin.otlp.max-request-size, max-decompressed-size).
 *
 * @param maxNestingDepth objects and arrays inside one another (a log body of nested maps costs
 *        about three levels per map)
 * @param maxNumberLength characters of one JSON number
 * @param maxStringLength characters of one JSON string
 */
@ConfigurationProperties(prefix = "odin.otlp.json")
public record OtlpJsonProperties(
        @DefaultValue("128") int maxNestingDepth,
        @DefaultValue("100") int maxNumberLength,
        @DefaultValue("8388608") int maxStringLength) {

    public OtlpJsonProperties {
        limits(maxNestingDepth, maxNumberLength, maxStringLength); // refuses to start on nonsense
    }

    public OtlpJson.Limits limits() {
        return limits(maxNestingDepth, maxNumberLength, maxStringLength);
    }

    private static OtlpJson.Limits limits(int depth, int number, int string) {
        try {
            return new OtlpJson.Limits(depth, number, string);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("odin.otlp.json: " + e.getMessage());
        }
    }
}
