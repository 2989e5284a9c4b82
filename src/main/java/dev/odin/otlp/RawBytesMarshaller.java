package dev.odin.otlp;

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

    /** grpc-java has already enforced the maximum message size on this stream. */
    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("reading the request failed: " + e.getMessage()).withCause(e)
                    .asRuntimeException();
        }
    }
}
