package dev.odin.receiver.otlp;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Checks the {@code authorization} metadata of every OTLP/gRPC call before its message is
 * handled: UNAUTHENTICATED without a valid token (which the OTLP exporters do not retry), and the
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

    private final TokenAuthenticator authenticator;
    private final RefusalListener listener;

    public GrpcBearerInterceptor(TokenAuthenticator authenticator, RefusalListener listener) {
        this.authenticator = authenticator;
        this.listener = listener;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        TokenAuthenticator.Outcome o = authenticator.check(headers.get(AUTHORIZATION), "grpc");
        if (!o.allowed()) {
            listener.refused(call.getMethodDescriptor().getFullMethodName());
            call.close(Status.UNAUTHENTICATED.withDescription(o.message()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(TENANT, o.principal().tenant()), call, headers, next);
    }
}
