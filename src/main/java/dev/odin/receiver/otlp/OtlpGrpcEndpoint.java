package dev.odin.receiver.otlp;

import dev.odin.signal.Signal;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code otlp-grpc:<signal>}: consumer only (the receiver side of one OTLP/gRPC service). */
public final class OtlpGrpcEndpoint extends DefaultEndpoint {

    private final Signal signal;

    OtlpGrpcEndpoint(String uri, OtlpGrpcComponent component, Signal signal) {
        super(uri, component);
        this.signal = signal;
    }

    public Signal signal() {
        return signal;
    }

    @Override
    public OtlpGrpcComponent getComponent() {
        return (OtlpGrpcComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException(getEndpointUri() + " receives OTLP/gRPC requests (from:); it sends"
                + " nothing: send to direct:otlp-" + signal.tag() + " instead");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        OtlpGrpcConsumer consumer = new OtlpGrpcConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }
}
