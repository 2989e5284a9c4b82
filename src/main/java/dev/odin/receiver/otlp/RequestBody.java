package dev.odin.receiver.otlp;

import dev.odin.signal.OtlpRequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Reads a request body within explicit limits: the wire size and, for compressed bodies, the
 * decoded size. Decoding stops as soon as a limit is passed, so a gzip bomb costs at most the
 * limit in memory.
 */
public final class RequestBody {

    private RequestBody() {
    }

    public static byte[] read(InputStream in, long maxWireBytes, String contentEncoding, long maxDecodedBytes)
            throws IOException {
        byte[] wire = readLimited(in, maxWireBytes, "request body is larger than the limit of "
                + maxWireBytes + " bytes");
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase();
        switch (encoding) {
            case "":
            case "identity":
                return wire;
            case "gzip":
            case "x-gzip":
                return decode(wire, true, maxDecodedBytes, "gzip");
            case "deflate":
                return decode(wire, false, maxDecodedBytes, "deflate");
            default:
                throw new OtlpRequestException(415, io.grpc.Status.Code.UNIMPLEMENTED,
                        "unsupported Content-Encoding '" + contentEncoding + "' (gzip, deflate or none)");
        }
    }

    private static byte[] decode(byte[] wire, boolean gzip, long max, String encoding) {
        java.io.ByteArrayInputStream raw = new java.io.ByteArrayInputStream(wire);
        try (InputStream in = gzip ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
            return readLimited(in, max, "request body decodes to more than the limit of " + max + " bytes");
        } catch (OtlpRequestException e) {
            throw e;
        } catch (IOException e) {
            throw OtlpRequestException.badRequest("body is not valid " + encoding + ": " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, long max, String tooLarge) throws IOException {
        byte[] bytes = readWithin(in, max);
        if (bytes == null) {
            throw OtlpRequestException.tooLarge(tooLarge);
        }
        return bytes;
    }

    /** @return everything the stream holds, or null as soon as it passes max bytes (reading stops there) */
    public static byte[] readWithin(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[16384];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
