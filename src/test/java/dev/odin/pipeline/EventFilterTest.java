package dev.odin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.telemetry.OdinMetrics;
import dev.odin.testing.Otlp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The per-record filter bean: which records go, what is counted, and its call from a route. */
class EventFilterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EventFilter events = new EventFilter(new OdinMetrics(registry));

    private static LogRecord record(String marker, Object... attrs) {
        return LogRecord.newBuilder().setBody(Otlp.value(marker)).addAllAttributes(Otlp.attrs(attrs)).build();
    }

    private static ResourceLogs resource(String service, LogRecord... records) {
        return ResourceLogs.newBuilder().setResource(Resource.newBuilder()
                .addAllAttributes(Otlp.attrs("service.name", service)))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))).build();
    }

    private static List<String> bodies(ExportLogsServiceRequest request) {
        List<String> out = new ArrayList<>();
        request.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList()
                .forEach(r -> out.add(r.getBody().getStringValue()))));
        return out;
    }

    private double filtered() {
        var c = registry.find("odin.otlp.discarded").tag("reason", EventFilter.REASON).counter();
        return c == null ? 0 : c.count();
    }

    private final ExportLogsServiceRequest mixed = ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(resource("claude-code", record("a", "event.name", "tool_decision"),
                    record("b", "event.name", "api_request"), record("c")))
            .addResourceLogs(resource("other", record("d", "event.name", "tool_decision")))
            .addResourceLogs(resource("named", LogRecord.newBuilder().setBody(Otlp.value("e"))
                    .setEventName("tool_decision").build()))
            .build();

    @Test
    void dropRemovesTheMatchingRecordsAndTheResourcesLeftEmpty() {
        ExportLogsServiceRequest out = events.drop(mixed, "event.name", "tool_decision");
        assertThat(bodies(out)).containsExactly("b", "c");
        assertThat(out.getResourceLogsCount()).isEqualTo(1);
        assertThat(filtered()).isEqualTo(3.0);
    }

    @Test
    void keepKeepsOnlyTheMatchingRecordsAndAResourceAttributeMatchesItsRecords() {
        assertThat(bodies(events.keep(mixed, "event.name", "tool_decision"))).containsExactly("a", "d", "e");
        assertThat(bodies(events.keep(mixed, "service.name", "other"))).containsExactly("d");
        assertThat(filtered()).isEqualTo(6.0);
    }

    @Test
    void aRequestWithNothingToDropIsPassedAsItIsAndNothingCounted() {
        assertThat(events.drop(mixed, "event.name", "user_prompt")).isSameAs(mixed);
        assertThat(filtered()).isZero();
    }

    @Test
    void aRouteCallsItWithTheLiteralArgumentsOfTheRecipe() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("events", events);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").bean("events", "drop(${body}, 'event.name', 'tool_decision')");
                }
            });
            camel.start();
            Exchange e = new DefaultExchange(camel);
            e.getMessage().setBody(mixed);
            camel.createProducerTemplate().send("direct:in", e);
            assertThat(e.getException()).isNull();
            assertThat(bodies(e.getMessage().getBody(ExportLogsServiceRequest.class))).containsExactly("b", "c");
        }
    }
}
