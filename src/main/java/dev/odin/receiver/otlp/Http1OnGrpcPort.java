package dev.odin.receiver.otlp;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.channel.socket.DuplexChannel;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.x spoken to the (plaintext) OTLP/gRPC port, usually an OTLP/HTTP exporter pointed at
 * :4317: answered {@code HTTP/1.1 400} with a body saying where OTLP/HTTP is, logged in one line
 * at most once a minute and counted, instead of grpc-java's HTTP/2 protocol error (a 21-line
 * trace per attempt, a dropped connection for the client).
 *
 * <p>The plaintext negotiator grpc-java would use is wrapped: a handler in front of it looks at
 * the first bytes of each connection. The HTTP/2 client preface starts with {@code PRI}; anything
 * else that starts like an HTTP/1 request line ({@code TOKEN SP}) is refused. Until it has
 * decided, it holds back what the gRPC handler writes (its SETTINGS frame), so an HTTP/1 client
 * reads a clean HTTP/1.1 response.
 */
final class Http1OnGrpcPort implements InternalProtocolNegotiator.ProtocolNegotiator {

    private static final Logger log = LoggerFactory.getLogger(Http1OnGrpcPort.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_METHOD = 16;

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
    private final java.util.function.Supplier<String> hint;
    private final Runnable counted;
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param hint what the 400's body says after "this is the OTLP/gRPC port; ", e.g. "OTLP/HTTP is on :4318"
     * @param counted called for each refused connection (the metric)
     */
    Http1OnGrpcPort(java.util.function.Supplier<String> hint, Runnable counted) {
        this.hint = hint;
        this.counted = counted;
    }

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new Sniffer(plaintext.newHandler(grpcHandler));
    }

    @Override
    public void close() {
        plaintext.close();
    }

    /** The body of the 400. */
    String body() {
        return "this is the OTLP/gRPC port; " + hint.get() + "\n";
    }

    /** HTTP/2 (the preface or a prefix of it), HTTP/1 (a request line's method and a space), or undecided. */
    static Boolean looksLikeHttp1(ByteBuf in) {
        int n = in.readableBytes();
        boolean prefacePrefix = true;
        for (int i = 0; i < Math.min(n, PREFACE.length); i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                prefacePrefix = false;
                break;
            }
        }
        if (prefacePrefix) {
            return n >= PREFACE.length ? Boolean.FALSE : null;
        }
        for (int i = 0; i < Math.min(n, MAX_METHOD + 1); i++) {
            byte b = in.getByte(in.readerIndex() + i);
            if (b == ' ') {
                return i > 0 ? Boolean.TRUE : Boolean.FALSE;
            }
            if (b < 'A' || b > 'Z') {
                return Boolean.FALSE;
            }
        }
        return n > MAX_METHOD ? Boolean.FALSE : null;
    }

    private void refused(ChannelHandlerContext ctx, ByteBuf first) {
        counted.run();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            int eol = first.indexOf(first.readerIndex(), first.writerIndex(), (byte) '\r');
            String line = first.toString(first.readerIndex(),
                    Math.min(120, (eol < 0 ? first.writerIndex() : eol) - first.readerIndex()), StandardCharsets.US_ASCII)
                    .replaceAll("[^\\x20-\\x7e]", "?");
            long more = suppressed.getAndSet(0);
            log.warn("HTTP/1 request \"{}\" from {} on the OTLP/gRPC port, answered 400 ({}){}", line,
                    ctx.channel().remoteAddress(), hint.get(),
                    more == 0 ? "" : "; " + more + " more since the last such line");
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** In front of grpc-java's negotiation handler, until it has seen enough of the first bytes. */
    private final class Sniffer extends ChannelDuplexHandler {

        private final ChannelHandler next;
        private final ArrayDeque<Object[]> heldWrites = new ArrayDeque<>();
        private ByteBuf seen;
        private boolean refusing;

        Sniffer(ChannelHandler next) {
            this.next = next;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter(ctx.name(), null, next);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refusing) {
                ReferenceCountUtil.release(msg); // the rest of the refused request
                return;
            }
            if (!(msg instanceof ByteBuf buf)) {
                ctx.fireChannelRead(msg);
                return;
            }
            seen = seen == null ? buf : Unpooled.wrappedBuffer(seen, buf);
            Boolean http1 = looksLikeHttp1(seen);
            if (http1 == null) {
                return;
            }
            ByteBuf first = seen;
            seen = null;
            if (http1) {
                refuse(ctx, first);
            } else {
                pass(ctx, first);
            }
        }

        private void pass(ChannelHandlerContext ctx, ByteBuf first) {
            ctx.pipeline().remove(this);
            for (Object[] w : heldWrites) {
                ctx.write(w[0], (ChannelPromise) w[1]);
            }
            heldWrites.clear();
            ctx.flush();
            ctx.fireChannelRead(first);
        }

        private void refuse(ChannelHandlerContext ctx, ByteBuf first) {
            refusing = true;
            refused(ctx, first);
            first.release();
            // what the gRPC handler wrote stays held until the channel closes: failing it now would
            // make that handler close the connection before the 400 is out
            byte[] body = body().getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
            ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
            ctx.writeAndFlush(response).addListener(f -> {
                // half-close, read what is left of the request, close: a close with unread input
                // would be a reset that can take the response with it
                if (ctx.channel() instanceof DuplexChannel d) {
                    d.shutdownOutput();
                    ctx.executor().schedule(() -> ctx.close(), 2, TimeUnit.SECONDS);
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            heldWrites.add(new Object[] {msg, promise});
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // held until the protocol is known
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (refusing && evt instanceof io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (seen != null) {
                seen.release();
                seen = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            for (Object[] w : heldWrites) {
                ReferenceCountUtil.release(w[0]);
                ((ChannelPromise) w[1]).tryFailure(new ClosedChannelException());
            }
            heldWrites.clear();
            super.channelInactive(ctx);
        }
    }
}
