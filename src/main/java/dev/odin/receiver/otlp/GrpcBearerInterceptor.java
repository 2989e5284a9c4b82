package dev.odin.receiver.otlp;

import dev.odin.signal.Transport;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Asks the receiver's {@link OtlpGuard} about the {@code authorization} metadata of every OTLP/gRPC
 * call before its message is handled: UNAUTHENTICATED without a valid token (which the OTLP exporters do not retry), and the
 * token's tenant in {@link #TENANT} for the call's handler.
 */
public final class GrpcBearerInterceptor implements ServerInterceptor {

    /** The authenticated tenant of the current call; empty for a token without one. */
    public static final Context.Key<String> TENANT = Context.keyWithDefault("odin-tenant", "");

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Called for each refused call with the full method name, so the receiver can count it. */
    public interface RefusalListener {
        void refused(String fullMethodName);
    }

    private final OtlpGuard guard;
    private final RefusalListener listener;

    public GrpcBearerInterceptor(OtlpGuard guard, RefusalListener listener) {
        this.guard = guard;
        this.listener = listener;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        TokenAuthenticator.Outcome o = guard.check(headers.get(AUTHORIZATION), Transport.GRPC);
        if (!o.allowed()) {
            listener.refused(call.getMethodDescriptor().getFullMethodName());
            call.close(Status.UNAUTHENTICATED.withDescription(o.message()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(TENANT, o.principal().tenant()), call, headers, next);
    }
}
