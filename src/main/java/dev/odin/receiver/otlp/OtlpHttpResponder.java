package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Transport;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Last step of an OTLP/HTTP route: the Export*ServiceResponse (or, on failure, a google.rpc.Status)
 * in the request's encoding. Every exchange header is removed first: Camel would otherwise send
 * them back as HTTP response headers.
 */
public final class OtlpHttpResponder {

    private final ExportResponses responses;
    private final InternalErrors internalErrors = new InternalErrors();

    public OtlpHttpResponder(ExportResponses responses) {
        this.responses = responses;
    }

    /** The success step. */
    public Processor success() {
        return exchange -> {
            ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
            write(exchange, 200, responses.success(result));
        };
    }

    /** The step an onException clause runs: maps the failure to its status code. */
    public Processor failure() {
        return exchange -> {
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
            int status;
            int code;
            String message;
            String outcome;
            if (cause instanceof OtlpRequestException) {
                OtlpRequestException e = (OtlpRequestException) cause;
                status = e.httpStatus();
                code = e.grpcCode().value();
                message = e.getMessage();
                outcome = e.outcome();
            } else {
                status = 500;
                code = io.grpc.Status.Code.INTERNAL.value();
                // the client learns an id; the detail (never the body) goes to the log
                message = internalErrors.report("OTLP/HTTP " + (result == null ? "" : result.signal().tag() + " ")
                        + "request", cause);
                outcome = "error";
            }
            if (result != null) {
                responses.failure(result.signal(), Transport.HTTP, outcome);
            }
            write(exchange, status, Status.newBuilder().setCode(code).setMessage(message).build());
            if (status == 405) {
                exchange.getMessage().setHeader("Allow", "POST");
            }
            if (status == 503) {
                long retryAfter = cause instanceof OtlpRequestException ? ((OtlpRequestException) cause).retryAfterMillis() : 0;
                // the event queue is full, or the data dir: later
                exchange.getMessage().setHeader("Retry-After",
                        retryAfter > 0 ? Long.toString((retryAfter + 999) / 1000) : "5");
            }
        };
    }

    private static void write(Exchange exchange, int status, Message body) {
        boolean json = Boolean.TRUE.equals(exchange.getProperty(OtlpHttpDecoder.JSON, Boolean.class));
        org.apache.camel.Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, json ? "application/json" : "application/x-protobuf");
        out.setBody(json ? OtlpJson.print(body) : body.toByteArray());
    }
}
