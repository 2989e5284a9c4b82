package dev.odin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.testing.Fixtures;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.io.InputStream;
import java.nio.file.Files;
import org.apache.camel.CamelContext;
import org.apache.camel.TypeConverter;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** What camel-http gets from the converters: the OTLP requests' protobuf bytes, a notification's JSON. */
class TeeConvertersTest {

    private static TypeConverter converter(CamelContext camel) {
        TeeConverters.register(camel.getTypeConverterRegistry());
        return camel.getTypeConverter();
    }

    @Test
    void otlpRequestsBecomeTheirProtobufBytes() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            TypeConverter tc = converter(camel);
            ExportLogsServiceRequest logs = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs
                    .newBuilder().addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
                            .setBody(Otlp.value("claude_code.user_prompt"))))).build();
            assertThat(ExportLogsServiceRequest.parseFrom(tc.mandatoryConvertTo(byte[].class, logs))).isEqualTo(logs);
            try (InputStream in = tc.mandatoryConvertTo(InputStream.class, logs)) {
                assertThat(ExportLogsServiceRequest.parseFrom(in)).isEqualTo(logs);
            }
            ExportMetricsServiceRequest metrics = Otlp.request(Otlp.attrs("service.name", "s"),
                    Otlp.gauge("g", "1", Otlp.point(Otlp.attrs(), 0, Otlp.T0, 1)));
            assertThat(ExportMetricsServiceRequest.parseFrom(tc.mandatoryConvertTo(byte[].class, metrics)))
                    .isEqualTo(metrics);
            ExportTraceServiceRequest traces = ExportTraceServiceRequest.newBuilder()
                    .addResourceSpans(ResourceSpans.getDefaultInstance()).build();
            assertThat(ExportTraceServiceRequest.parseFrom(tc.mandatoryConvertTo(byte[].class, traces)))
                    .isEqualTo(traces);
        }
    }

    @Test
    void aNotificationBecomesItsJsonWithTheFieldsOdinDoesNotKnow() throws Exception {
        byte[] firing = Files.readAllBytes(Fixtures.DIR.resolve("alertmanager").resolve("firing.json"));
        WebhookMessage m = WebhookDecoder.parse(firing);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            TypeConverter tc = converter(camel);
            ObjectMapper json = new ObjectMapper();
            var expected = json.readTree(WebhookDecoder.json(m));
            assertThat(json.readTree(tc.mandatoryConvertTo(byte[].class, m))).isEqualTo(expected);
            assertThat(json.readTree(tc.mandatoryConvertTo(String.class, m))).isEqualTo(expected);
            assertThat(json.readTree(tc.mandatoryConvertTo(InputStream.class, m))).isEqualTo(expected);
            // the sent notification's own fields survive, known or not
            json.readTree(firing).fieldNames().forEachRemaining(f -> assertThat(expected.has(f)).as(f).isTrue());
        }
    }
}
