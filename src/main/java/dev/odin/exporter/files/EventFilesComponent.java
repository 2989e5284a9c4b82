package dev.odin.exporter.files;

import dev.odin.health.DataDirGuard;
import dev.odin.exporter.loki.LokiComponent;
import dev.odin.exporter.loki.LokiMapper;
import dev.odin.exporter.loki.MappedLogs;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Camel component {@code odin-files}: the local event files as an event sink (a producer only).
 * {@code odin-files:events}: JSON Lines under {@code <odin.data-dir>/events}, one file per UTC
 * day of the event (odin.events.max-file-size, odin.events.retention-days), each line the event
 * as Loki would have it (labels, line, structured metadata).
 *
 * <p>Body in: the {@code ExportLogsServiceRequest} (after the privacy rules and length limits);
 * header {@code Odin-Tenant}: the tenant (its label per odin.auth.tenant-label). The body is
 * left as it was. Returns once the lines are written; a write that fails (a full disk) throws the
 * data dir's "retry later" (503).
 */
public final class EventFilesComponent extends DefaultComponent {

    private final Supplier<EventFiles> files;
    private final LokiMapper mapper;
    private final String tenantLabel;
    private final OdinMetrics telemetry;
    private final DataDirGuard guard;

    /** {@code files}: made on first use, so that no events directory appears while nothing sends to it. */
    public EventFilesComponent(Supplier<EventFiles> files, LokiMapper mapper, String tenantLabel,
            OdinMetrics telemetry, DataDirGuard guard) {
        this.files = files;
        this.mapper = mapper;
        this.tenantLabel = tenantLabel;
        this.telemetry = telemetry;
        this.guard = guard;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        if (!remaining.equals("events")) {
            throw new IllegalArgumentException(uri + ": the event files are odin-files:events");
        }
        EventFiles target = files.get();
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) throws Exception {
                        ExportLogsServiceRequest request = exchange.getMessage()
                                .getMandatoryBody(ExportLogsServiceRequest.class);
                        MappedLogs logs = mapper.map(request, tenantLabel, LokiComponent.tenant(exchange));
                        telemetry.eventsWritten(guard.write(DataDirGuard.EVENTS, () -> target.write(logs)));
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException(uri + " is an event sink: send to it, do not consume from it");
            }
        };
    }
}
