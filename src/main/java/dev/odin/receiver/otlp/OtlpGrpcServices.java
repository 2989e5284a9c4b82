package dev.odin.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OTLP/gRPC services ODIN serves right now: one per signal whose {@code otlp-grpc:<signal>}
 * endpoint a started route consumes. The gRPC server looks calls up here, so a signal without a
 * consuming route answers UNIMPLEMENTED ("Method not found"), as OTLP/HTTP answers 404 for a
 * path without a route.
 *
 * <p>Each call is checked before it reaches its route, by the {@link OtlpGuard}: too large
 * (RESOURCE_EXHAUSTED), not admitted (RESOURCE_EXHAUSTED with RetryInfo), not protobuf
 * (INVALID_ARGUMENT). Messages stay raw bytes until then ({@link RawBytesMarshaller}): no
 * reflection, and an undecodable body is the client's error, not grpc-java's INTERNAL.
 */
public final class OtlpGrpcServices extends HandlerRegistry {

    /** Parses a request body. */
    private interface Parser {
        Message parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private final OtlpGuard guard;
    private final GrpcAnswers answers;
    private final Map<String, ServerMethodDefinition<?, ?>> methods = new ConcurrentHashMap<>();
    private final Map<Signal, Served> served = new ConcurrentHashMap<>();

    private record Served(OtlpGrpcConsumer consumer, ServerServiceDefinition definition) {
    }

    public OtlpGrpcServices(OtlpGuard guard, GrpcAnswers answers) {
        this.guard = guard;
        this.answers = answers;
    }

    GrpcAnswers answers() {
        return answers;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        return methods.get(methodName);
    }

    @Override
    public List<ServerServiceDefinition> getServices() {
        List<ServerServiceDefinition> list = new ArrayList<>();
        served.values().forEach(s -> list.add(s.definition()));
        return list;
    }

    /** Whether a route serves this signal now. */
    public boolean serves(Signal signal) {
        return served.containsKey(signal);
    }

    /** Serves the signal's service with this consumer's route; one route per signal, as direct: has. */
    synchronized void serve(Signal signal, OtlpGrpcConsumer consumer) {
        Served s = served.get(signal);
        if (s != null && s.consumer() != consumer) {
            throw new IllegalStateException("otlp-grpc:" + signal.tag() + " is consumed by route "
                    + s.consumer().getRouteId() + " already: one route per signal");
        }
        ServerServiceDefinition definition = definition(signal, consumer);
        served.put(signal, new Served(consumer, definition));
        for (ServerMethodDefinition<?, ?> m : definition.getMethods()) {
            methods.put(m.getMethodDescriptor().getFullMethodName(), m);
        }
    }

    /** Stops serving the signal (its route stopped or was removed): UNIMPLEMENTED from now on. */
    synchronized void stop(Signal signal, OtlpGrpcConsumer consumer) {
        Served s = served.get(signal);
        if (s != null && s.consumer() == consumer) {
            served.remove(signal);
            for (ServerMethodDefinition<?, ?> m : s.definition().getMethods()) {
                methods.remove(m.getMethodDescriptor().getFullMethodName());
            }
        }
    }

    private ServerServiceDefinition definition(Signal signal, OtlpGrpcConsumer consumer) {
        switch (signal) {
            case METRICS:
                return service(MetricsServiceGrpc.SERVICE_NAME, MetricsServiceGrpc.getExportMethod(),
                        ExportMetricsServiceResponse.getDefaultInstance(), signal, consumer,
                        ExportMetricsServiceRequest::parseFrom);
            case LOGS:
                return service(LogsServiceGrpc.SERVICE_NAME, LogsServiceGrpc.getExportMethod(),
                        ExportLogsServiceResponse.getDefaultInstance(), signal, consumer,
                        ExportLogsServiceRequest::parseFrom);
            default:
                return service(TraceServiceGrpc.SERVICE_NAME, TraceServiceGrpc.getExportMethod(),
                        ExportTraceServiceResponse.getDefaultInstance(), signal, consumer,
                        ExportTraceServiceRequest::parseFrom);
        }
    }

    @SuppressWarnings("unchecked")
    private <Q, R extends Message> ServerServiceDefinition service(String serviceName, MethodDescriptor<Q, R> export,
            R responseType, Signal signal, OtlpGrpcConsumer consumer, Parser parser) {
        MethodDescriptor<byte[], Message> method = export.toBuilder(RawBytesMarshaller.INSTANCE,
                (MethodDescriptor.Marshaller<Message>) ProtoUtils.marshaller((Message) responseType)).build();
        Class<? extends Message> responseClass = responseType.getClass();
        return ServerServiceDefinition.builder(serviceName)
                .addMethod(method, ServerCalls.asyncUnaryCall((byte[] bytes, StreamObserver<Message> observer) ->
                        call(signal, consumer, parser, responseClass, bytes, observer)))
                .build();
    }

    private void call(Signal signal, OtlpGrpcConsumer consumer, Parser parser, Class<? extends Message> responseClass,
            byte[] bytes, StreamObserver<Message> observer) {
        if (bytes == RawBytesMarshaller.TOO_LARGE) {
            observer.onError(answers.refused(signal, "too_large",
                    Status.RESOURCE_EXHAUSTED.withDescription(guard.grpcTooLarge()).asRuntimeException()));
            return;
        }
        AdmissionControl.Decision d = guard.admit(signal, Transport.GRPC, bytes.length, false);
        if (!d.admitted()) {
            observer.onError(answers.refused(signal, "overloaded", GrpcAnswers.retryLater(
                    Status.Code.RESOURCE_EXHAUSTED, d.message(), guard.retryAfterMillis())));
            return;
        }
        try (AdmissionControl.Ticket ticket = d.ticket()) {
            Message request;
            try {
                request = parser.parse(bytes);
            } catch (InvalidProtocolBufferException e) {
                observer.onError(answers.refused(signal, "invalid", Status.INVALID_ARGUMENT.withDescription(
                        "request is not a protobuf OTLP " + signal.tag() + " request: " + e.getMessage())
                        .asRuntimeException()));
                return;
            }
            consumer.handle(request, GrpcBearerInterceptor.TENANT.get(), responseClass, observer);
        }
    }
}
