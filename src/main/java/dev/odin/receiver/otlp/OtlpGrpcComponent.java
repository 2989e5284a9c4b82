package dev.odin.receiver.otlp;

import dev.odin.signal.Signal;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The Camel component {@code otlp-grpc}: consumer endpoints {@code otlp-grpc:metrics},
 * {@code otlp-grpc:logs} and {@code otlp-grpc:traces}, one per OTLP/gRPC service, all on ODIN's
 * one gRPC server (odin.otlp.grpc.port). A route {@code from:} one of them receives each
 * authenticated, admitted and decoded Export*ServiceRequest as its body; while no started route
 * consumes an endpoint, its service answers UNIMPLEMENTED.
 */
public final class OtlpGrpcComponent extends DefaultComponent {

    /** The name routes use, and the component's bean name. */
    public static final String SCHEME = "otlp-grpc";

    private final OtlpGrpcServices services;
    private final ExportResponses responses;

    public OtlpGrpcComponent(OtlpGrpcServices services, ExportResponses responses) {
        this.services = services;
        this.responses = responses;
    }

    OtlpGrpcServices services() {
        return services;
    }

    ExportResponses responses() {
        return responses;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Signal signal = null;
        for (Signal s : Signal.values()) {
            if (s.tag().equals(remaining.toLowerCase(Locale.ROOT))) {
                signal = s;
            }
        }
        if (signal == null) {
            throw new IllegalArgumentException(SCHEME + ":" + remaining + " is no OTLP signal: use " + SCHEME
                    + ":metrics, " + SCHEME + ":logs or " + SCHEME + ":traces");
        }
        return new OtlpGrpcEndpoint(uri, this, signal);
    }
}
