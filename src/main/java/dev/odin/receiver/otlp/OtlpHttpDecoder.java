package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * First step of an OTLP/HTTP route: checks method and content type, reads the body within the
 * configured limits, decodes protobuf or JSON, and leaves the request message as the body with a
 * fresh {@link ExportResult} beside it. Any refusal is an {@link OtlpRequestException}.
 */
public final class OtlpHttpDecoder implements Processor {

    /** Exchange property: true when the request (and so the response) is JSON. */
    public static final String JSON = "odinOtlpJson";

    private static final String JSON_TYPE = "application/json";

    private final Signal signal;
    private final long maxWireBytes;
    private final long maxDecodedBytes;
    private final OtlpJson json;

    public OtlpHttpDecoder(Signal signal, long maxWireBytes, long maxDecodedBytes, OtlpJson json) {
        this.signal = signal;
        this.maxWireBytes = maxWireBytes;
        this.maxDecodedBytes = maxDecodedBytes;
        this.json = json;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        org.apache.camel.Message in = exchange.getMessage();
        ExportResult result = new ExportResult(signal, Transport.HTTP);
        // set by ReceiverAuthenticationFilter, which hides any value the client sent itself
        result.tenant(in.getHeader(ReceiverAuthenticationFilter.TENANT_HEADER, String.class));
        in.removeHeader(ReceiverAuthenticationFilter.TENANT_HEADER);
        exchange.setProperty(ExportResult.PROPERTY, result);
        String method = in.getHeader(Exchange.HTTP_METHOD, String.class);
        if (method != null && !"POST".equalsIgnoreCase(method)) {
            throw new OtlpRequestException(405, io.grpc.Status.Code.UNIMPLEMENTED,
                    "method " + method + " is not allowed; OTLP export uses POST");
        }
        String contentType = mediaType(in.getHeader(Exchange.CONTENT_TYPE, String.class));
        if (!supported(contentType)) {
            exchange.setProperty(JSON, true);
            throw unsupported(contentType);
        }
        boolean json = JSON_TYPE.equals(contentType);
        exchange.setProperty(JSON, json);
        Long declared = in.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > maxWireBytes) {
            throw OtlpRequestException.tooLarge("request body of " + declared + " bytes is larger than the limit of "
                    + maxWireBytes + " bytes");
        }
        // BodyIntake has read and inflated the body within the limits (dev.odin.http)
        InputStream body = in.getBody(InputStream.class);
        byte[] bytes = body == null ? new byte[0] : RequestBody.read(body, maxDecodedBytes, null, maxDecodedBytes);
        Message request = json ? fromJson(bytes) : fromProtobuf(bytes);
        result.receivedRequest(request);
        in.setBody(request);
    }

    private Message.Builder builder() {
        switch (signal) {
            case METRICS: return ExportMetricsServiceRequest.newBuilder();
            case LOGS: return ExportLogsServiceRequest.newBuilder();
            default: return ExportTraceServiceRequest.newBuilder();
        }
    }

    private Message fromProtobuf(byte[] bytes) {
        try {
            switch (signal) {
                case METRICS: return ExportMetricsServiceRequest.parseFrom(bytes);
                case LOGS: return ExportLogsServiceRequest.parseFrom(bytes);
                default: return ExportTraceServiceRequest.parseFrom(bytes);
            }
        } catch (InvalidProtocolBufferException e) {
            throw OtlpRequestException.badRequest("body is not a protobuf OTLP " + signal.tag() + " request: "
                    + e.getMessage());
        }
    }

    private Message fromJson(byte[] bytes) {
        Message.Builder b = builder();
        json.merge(bytes, b);
        return b.build();
    }

    /** Whether the media type (lower case, without parameters) is one an OTLP/HTTP body may have. */
    public static boolean supported(String mediaType) {
        return JSON_TYPE.equals(mediaType) || "application/x-protobuf".equals(mediaType)
                || "application/protobuf".equals(mediaType);
    }

    /** The refusal of any other Content-Type (curl's -d sends application/x-www-form-urlencoded). */
    public static OtlpRequestException unsupported(String mediaType) {
        return new OtlpRequestException(415, io.grpc.Status.Code.UNIMPLEMENTED, "unsupported Content-Type '"
                + abbreviate(mediaType) + "': OTLP/HTTP accepts application/x-protobuf or application/json"
                + (mediaType.startsWith("application/x-www-form-urlencoded")
                        ? " (curl -d sends a form; use -H 'Content-Type: application/json' --data-binary @file)" : ""));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** The media type of a Content-Type header: lower case, without parameters; "" for none. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase();
    }
}
