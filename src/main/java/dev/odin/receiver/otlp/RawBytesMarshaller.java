package dev.odin.receiver.otlp;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A gRPC marshaller that leaves messages as bytes: the server parses OTLP requests itself (to
 * answer INVALID_ARGUMENT for undecodable ones), and test and load clients send pre-encoded or
 * deliberately broken bodies.
 */
public final class RawBytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {

    public static final RawBytesMarshaller INSTANCE = new RawBytesMarshaller();

    private RawBytesMarshaller() {
    }

    @Override
    public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
    }

    /**
     * Stands for a message that inflated past the maximum message size. grpc-java enforces the
     * limit while this stream is read, but a failure here would reach the client as UNKNOWN
     * ("Application error processing RPC"): the service answers RESOURCE_EXHAUSTED instead.
     */
    public static final byte[] TOO_LARGE = new byte[0];

    /** grpc-java enforces the maximum message size on this stream (after inflating). */
    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                return TOO_LARGE;
            }
            throw e;
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("reading the request failed: " + e.getMessage()).withCause(e)
                    .asRuntimeException();
        }
    }
}
