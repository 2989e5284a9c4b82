package dev.odin.receiver.otlp;

import dev.odin.signal.Signal;
import com.google.rpc.Status;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers an OTLP/HTTP request from a servlet filter, before Camel sees it: the status code and a
 * google.rpc.Status body in the request's encoding (JSON or protobuf), as the OTLP spec asks.
 */
public final class OtlpHttpErrors {

    private OtlpHttpErrors() {
    }

    public static Signal signalOf(HttpServletRequest request) {
        String path = dev.odin.receiver.otlp.RoutedPath.of(request);
        return path.endsWith("/logs") ? Signal.LOGS : path.endsWith("/traces") ? Signal.TRACES : Signal.METRICS;
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, int httpStatus,
            io.grpc.Status.Code code, String message) throws IOException {
        boolean json = String.valueOf(request.getContentType()).toLowerCase().startsWith("application/json");
        write(response, json, httpStatus, code, message);
    }

    /** The same in the encoding given: JSON, or protobuf. */
    public static void write(HttpServletResponse response, boolean json, int httpStatus, io.grpc.Status.Code code,
            String message) throws IOException {
        Status status = Status.newBuilder().setCode(code.value()).setMessage(message).build();
        byte[] bytes = json ? OtlpJson.print(status) : status.toByteArray();
        response.setStatus(httpStatus);
        response.setContentType(json ? "application/json" : "application/x-protobuf");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
