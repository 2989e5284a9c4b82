package dev.odin.receiver.otlp;

import com.google.protobuf.Message;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/**
 * Hands each OTLP/gRPC call of its signal to its route, synchronously on the gRPC executor's
 * thread, and answers the call from what the route left:
 * <ul>
 *   <li>the exchange's body a {@link StatusRuntimeException}: that status (the shared error step
 *       of routeConfiguration otlp-errors puts it there);</li>
 *   <li>the body the signal's Export*ServiceResponse: that response (the respond step);</li>
 *   <li>an exception nothing handled: its status, as the error step would have made it;</li>
 *   <li>anything else: the response made from the request's {@link ExportResult}.</li>
 * </ul>
 * The exchange the route gets: body the Export*ServiceRequest, property {@value ExportResult#PROPERTY}
 * the request's {@link ExportResult} (transport GRPC, the caller's tenant), header
 * {@value ReceiverAuthenticationFilter#TENANT_HEADER} the caller's tenant (empty for none).
 */
public final class OtlpGrpcConsumer extends DefaultConsumer {

    private final Signal signal;

    OtlpGrpcConsumer(OtlpGrpcEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.signal = endpoint.signal();
    }

    @Override
    public OtlpGrpcEndpoint getEndpoint() {
        return (OtlpGrpcEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getEndpoint().getComponent().services().serve(signal, this);
    }

    @Override
    protected void doStop() throws Exception {
        getEndpoint().getComponent().services().stop(signal, this);
        super.doStop();
    }

    void handle(Message request, String tenant, Class<? extends Message> responseClass,
            StreamObserver<Message> observer) {
        Exchange exchange = createExchange(false);
        try {
            ExportResult result = new ExportResult(signal, Transport.GRPC);
            result.tenant(tenant);
            // counted where no route edit can skip it (a logs request's records)
            result.receivedRequest(request);
            exchange.setProperty(ExportResult.PROPERTY, result);
            exchange.getMessage().setHeader(ReceiverAuthenticationFilter.TENANT_HEADER, result.tenant());
            exchange.getMessage().setBody(request);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            Object body = exchange.getMessage().getBody();
            GrpcAnswers answers = getEndpoint().getComponent().services().answers();
            if (exchange.getException() != null) {
                observer.onError(answers.failure(signal, exchange.getException()));
            } else if (body instanceof StatusRuntimeException status) {
                observer.onError(status);
            } else {
                observer.onNext(responseClass.isInstance(body) ? (Message) body
                        : getEndpoint().getComponent().responses().success(result));
                observer.onCompleted();
            }
        } finally {
            releaseExchange(exchange, false);
        }
    }
}
