package dev.odin.signal;

import java.util.ArrayList;
import java.util.List;

/**
 * What became of one export request, filled in by the processors of its pipeline and turned
 * into the OTLP response (partial_success) by the receiver. Confined to one request's thread.
 */
public final class ExportResult {

    /**
     * The exchange header with the tenant ODIN vouches for (from the caller's token, never from
     * the client): set by the receivers, read by the sinks.
     */
    public static final String TENANT_HEADER = "Odin-Tenant";

    /** The exchange property every pipeline finds its result under. */
    public static final String PROPERTY = "odinExportResult";

    private static final int MAX_MESSAGES = 3;

    private final Signal signal;
    private final Transport transport;
    private long received;
    private long rejected;
    private final List<String> messages = new ArrayList<>(MAX_MESSAGES);
    private int moreMessages;
    /** What was accepted changed (trimmed to a limit): told to the client, nothing refused. */
    private final List<String> warnings = new ArrayList<>(MAX_MESSAGES);
    private String tenant = "";

    public ExportResult(Signal signal, Transport transport) {
        this.signal = signal;
        this.transport = transport;
    }

    public Signal signal() {
        return signal;
    }

    public Transport transport() {
        return transport;
    }

    /** The tenant the request's bearer token names; empty without authentication or tenant. */
    public String tenant() {
        return tenant;
    }

    public void tenant(String tenant) {
        this.tenant = tenant == null ? "" : tenant;
    }

    public void received(long items) {
        received += items;
    }

    public long received() {
        return received;
    }

    /**
     * Counts what a receiver decoded as received, where the pipeline cannot skip it: a logs
     * request's log records (metrics count their data points while translating, traces their
     * spans in their pipeline). Called by both receivers, so no route edit makes a request
     * count ok without its records.
     */
    public void receivedRequest(com.google.protobuf.Message request) {
        if (signal == Signal.LOGS && request instanceof io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest logs) {
            received(logRecords(logs));
        }
    }

    /** The number of log records in a logs request. */
    public static long logRecords(io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest request) {
        long n = 0;
        for (io.opentelemetry.proto.logs.v1.ResourceLogs rl : request.getResourceLogsList()) {
            for (io.opentelemetry.proto.logs.v1.ScopeLogs sl : rl.getScopeLogsList()) {
                n += sl.getLogRecordsCount();
            }
        }
        return n;
    }

    /** Records items refused; the first few distinct messages go back to the client. */
    public void reject(long items, String message) {
        rejected += items;
        if (messages.size() < MAX_MESSAGES) {
            if (!messages.contains(message)) {
                messages.add(message);
            }
        } else if (!messages.contains(message)) {
            moreMessages++;
        }
    }

    public long rejected() {
        return rejected;
    }

    /**
     * Records a warning: items were accepted, but changed (trimmed to a limit). OTLP carries it
     * as a partial_success with nothing rejected and the message set. The first few distinct.
     */
    public void warn(String message) {
        if (warnings.size() < MAX_MESSAGES && !warnings.contains(message)) {
            warnings.add(message);
        }
    }

    /** @return the partial_success error message, empty when nothing was refused or changed */
    public String message() {
        if (rejected == 0) {
            return warnings.isEmpty() ? "" : "accepted with changes: " + String.join("; ", warnings);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(rejected).append(' ').append(signal.itemName()).append(" rejected: ");
        sb.append(String.join("; ", messages));
        if (moreMessages > 0) {
            sb.append("; and ").append(moreMessages).append(" other problems");
        }
        if (!warnings.isEmpty()) {
            sb.append("; accepted with changes: ").append(String.join("; ", warnings));
        }
        return sb.toString();
    }
}
