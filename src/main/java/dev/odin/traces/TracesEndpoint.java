package dev.odin.traces;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code GET /api/traces/{traceId}} on the management port (endpoint {@code traces}, mapped to
 * api/traces): the stored spans of one trace as a JSON array of the trace store's lines, newest
 * day first, at most {@value TraceStore#MAX_READ_SPANS}. 400 for an id that is not 32 lowercase
 * hex digits, 404 when no span of it is stored. A read scans the day files: at most
 * {@value #MAX_CONCURRENT_READS} run at once, one more is answered 429 at once, so lookups cannot
 * take the management threads /metrics and /health need.
 */
@WebEndpoint(id = "traces")
public final class TracesEndpoint {

    static final int MAX_CONCURRENT_READS = 2;

    private final TraceStore store;
    private final java.util.concurrent.Semaphore reads = new java.util.concurrent.Semaphore(MAX_CONCURRENT_READS);

    public TracesEndpoint(TraceStore store) {
        this.store = store;
    }

    @ReadOperation(produces = "application/json")
    public WebEndpointResponse<Object> trace(@Selector String traceId) throws IOException {
        if (!TraceStore.isTraceId(traceId)) {
            return new WebEndpointResponse<>(Map.of("error",
                    "a trace id is 32 lowercase hex digits (as in the event lines' trace_id), not all zero"), 400);
        }
        if (!reads.tryAcquire()) {
            return new WebEndpointResponse<>(Map.of("error", "too many trace lookups at once; retry later"), 429);
        }
        List<String> lines;
        try {
            lines = store.read(traceId);
        } finally {
            reads.release();
        }
        if (lines.isEmpty()) {
            return new WebEndpointResponse<>(Map.of("error", "no span of trace " + traceId + " is stored"), 404);
        }
        // the lines are JSON objects written by the store: joined, not parsed again
        return new WebEndpointResponse<>(new RawJson("[" + String.join(",", lines) + "]"), 200);
    }

    /** Already-serialized JSON, written as it is. */
    public record RawJson(@com.fasterxml.jackson.annotation.JsonRawValue @com.fasterxml.jackson.annotation.JsonValue
            String json) {
    }
}
