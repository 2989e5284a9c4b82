package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.HandlerRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC on one port for all three services. The services come from a registry
 * (dev.odin.receiver.otlp.OtlpGrpcServices) that serves a signal only while a route consumes its
 * {@code otlp-grpc:} endpoint: a call to any other method is UNIMPLEMENTED. grpc-java handles
 * gzip and enforces the maximum message size while inflating.
 *
 * <p>Started once Camel has started its routes (so that no request meets a route that is not
 * there yet), closed before Camel stops.
 */
public final class OtlpGrpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtlpGrpcServer.class);

    private final HandlerRegistry services;
    private final String host;
    private final int port;
    private final int maxMessageBytes;
    private final List<ServerInterceptor> interceptors;
    private final SslContext tls;
    private final int threads;
    private final int maxCallsPerConnection;
    private ExecutorService executor;
    private volatile Server server;
    private java.util.function.Supplier<String> http1Hint = () -> "OTLP/HTTP is on the OTLP/HTTP port (4318 by default)";
    private Runnable http1Counted = () -> { };

    /**
     * What an HTTP/1 request on the (plaintext) gRPC port is told, after "this is the OTLP/gRPC
     * port; ", and what counts it. Set before {@link #start()}.
     */
    public void http1Answer(java.util.function.Supplier<String> hint, Runnable counted) {
        this.http1Hint = hint;
        this.http1Counted = counted;
    }

    /**
     * @param services the services served now, looked up per call
     * @param interceptors run on every call, first to last (authentication)
     * @param tls the server's TLS context, null for plaintext
     */
    public OtlpGrpcServer(HandlerRegistry services, String host, int port, int maxMessageBytes,
            List<ServerInterceptor> interceptors, SslContext tls, int threads, int maxCallsPerConnection) {
        this.services = services;
        this.threads = threads;
        this.maxCallsPerConnection = maxCallsPerConnection;
        this.interceptors = List.copyOf(interceptors);
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        Server s = server;
        return s == null ? -1 : s.getPort();
    }

    /** Bound and serving. */
    public boolean running() {
        Server s = server;
        return s != null && !s.isShutdown();
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "otlp-grpc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress address = new InetSocketAddress(host, port);
        // plaintext: grpc-java's own negotiator behind one that answers HTTP/1 with a 400
        NettyServerBuilder builder = (tls == null ? NettyServerBuilder.forAddress(address,
                InternalNettyServerCredentials.create(new Http1OnGrpcPort(http1Hint, http1Counted)))
                : NettyServerBuilder.forAddress(address))
                .maxInboundMessageSize(maxMessageBytes).executor(executor)
                .maxConcurrentCallsPerConnection(maxCallsPerConnection);
        if (tls != null) {
            builder.sslContext(tls);
        }
        // intercept() wraps: the last one added runs first, so add them in reverse
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            builder.intercept(interceptors.get(i));
        }
        Server s = builder.fallbackHandlerRegistry(services).build();
        try {
            s.start();
        } catch (IOException e) {
            throw new IllegalStateException("OTLP/gRPC cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server = s;
        log.info("OTLP/gRPC listening on {}:{}{}", host, s.getPort(), tls == null ? "" : " (TLS)");
    }

    /**
     * Stops taking calls; new ones get UNAVAILABLE, which clients retry. Calls already running
     * go on: the caller waits for them through the admission limiter's count, since waiting for
     * the server's termination would also wait for idle client connections to go away.
     */
    public void stopAccepting() {
        Server s = server;
        if (s != null) {
            s.shutdown();
        }
    }

    @Override
    public synchronized void close() {
        Server s = server;
        if (s != null) {
            s.shutdown();
            try {
                if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.shutdownNow();
            }
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
