package dev.odin.exporter.loki;

import dev.odin.signal.RefusedStartException;
import dev.odin.signal.ExportResult;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Camel component {@code odin-loki}: a Loki as an event sink (a producer only).
 * <ul>
 * <li>{@code odin-loki:default}: the Loki of odin.loki.* (its URL, tenant, format, queue);
 * refuses the start when odin.loki.url is empty, naming the route that sends to it.
 * <li>{@code odin-loki:<name>?url=...[&tenant=...][&format=LOKI|JSON|OTLP]}: another Loki, with
 * its own queue and sender ({@code loki-<name>}); the other odin.loki.* settings (batching,
 * backoff, queue bound, credentials) are the default's.
 * </ul>
 * Body in: the {@link ExportLogsServiceRequest} (after the privacy rules and length limits);
 * header {@value #TENANT_HEADER}: the tenant (its stream label per odin.auth.tenant-label and
 * the push's X-Scope-OrgID; empty or absent: the configured tenant). The body is left as it
 * was. The exchange returns once the records are on disk; a full queue throws
 * {@code QueueFullException}, which the receiver answers with 503 / UNAVAILABLE, retry later.
 */
public final class LokiComponent extends DefaultComponent {

    /** The exchange header the event sinks read the tenant from. */
    public static final String TENANT_HEADER = ExportResult.TENANT_HEADER;

    private final LokiSinks sinks;
    private final LokiMapper mapper;
    private final String tenantLabel;
    private final LokiProperties loki;

    public LokiComponent(LokiSinks sinks, LokiMapper mapper, String tenantLabel, LokiProperties loki) {
        this.sinks = sinks;
        this.mapper = mapper;
        this.tenantLabel = tenantLabel;
        this.loki = loki;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        LokiSink sink;
        if (remaining.equals("default")) {
            if (!parameters.isEmpty()) {
                throw new IllegalArgumentException(uri + ": odin-loki:default takes its settings from odin.loki.*,"
                        + " not from the URI");
            }
            String route = getCamelContext().getCamelContextExtension().getCreateRoute();
            sink = sinks.defaultSink().orElseThrow(() -> new RefusedStartException("route "
                    + (route == null ? "(unknown)" : route) + " sends events to odin-loki:default, but "
                    + RefusedStartException.setting("odin.loki.url") + " is empty: set it, or send the events to odin-files:events"));
        } else {
            String url = getAndRemoveParameter(parameters, "url", String.class, "");
            String tenant = getAndRemoveParameter(parameters, "tenant", String.class, "");
            String format = getAndRemoveParameter(parameters, "format", String.class,
                    loki.getFormat().name());
            if (url.isBlank()) {
                throw new IllegalArgumentException(uri + ": another Loki needs its url, e.g. odin-loki:" + remaining
                        + "?url=http://loki-b:3100");
            }
            String f = format.toUpperCase(Locale.ROOT);
            sink = sinks.named(remaining, url, tenant,
                    LokiProperties.Format.valueOf(f.equals("LOKI") ? "PROTOBUF" : f));
        }
        return new LokiEndpoint(uri, this, sink);
    }

    private final class LokiEndpoint extends DefaultEndpoint {

        private final LokiSink sink;

        LokiEndpoint(String uri, LokiComponent component, LokiSink sink) {
            super(uri, component);
            this.sink = sink;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) throws Exception {
                    send(sink, exchange);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException(getEndpointUri() + " is an event sink: send to it, do not"
                    + " consume from it");
        }
    }

    private void send(LokiSink sink, Exchange exchange) throws Exception {
        ExportLogsServiceRequest request = exchange.getMessage().getMandatoryBody(ExportLogsServiceRequest.class);
        String tenant = tenant(exchange);
        if (sink.config().getFormat() == LokiProperties.Format.OTLP) {
            sink.enqueueOtlp(request, (int) ExportResult.logRecords(request), tenant);
        } else {
            sink.enqueue(mapper.map(request, tenantLabel, tenant), tenant);
        }
    }

    /** Header Odin-Tenant; without it, the tenant the receiver's ExportResult holds; else none. */
    public static String tenant(Exchange exchange) {
        String t = exchange.getMessage().getHeader(TENANT_HEADER, String.class);
        if (t == null) {
            ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
            t = result == null ? "" : result.tenant();
        }
        return t;
    }

}
