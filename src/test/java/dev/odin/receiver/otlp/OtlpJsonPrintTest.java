package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.rpc.Status;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The responses (partial_success, google.rpc.Status) are written straight with Jackson's
 * generator: byte for byte what JsonFormat re-written through a Jackson tree gave.
 */
class OtlpJsonPrintTest {

    @Property(tries = 300)
    void responsesPrintAsJsonFormatThroughATreeDid(@ForAll long rejected, @ForAll String message, @ForAll int code) {
        List<Message> responses = List.of(
                ExportMetricsServiceResponse.newBuilder().setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                        .setRejectedDataPoints(rejected).setErrorMessage(message)).build(),
                ExportLogsServiceResponse.newBuilder().setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                        .setRejectedLogRecords(rejected)).build(),
                ExportTraceServiceResponse.newBuilder().setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setErrorMessage(message)).build(),
                Status.newBuilder().setCode(code).setMessage(message).build());
        for (Message m : responses) {
            assertThat(new String(OtlpJson.print(m), StandardCharsets.UTF_8))
                    .isEqualTo(new String(OtlpJson.printThroughTree(m), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theUsualAnswersAndOnesWithCharactersJsonFormatEscapes() {
        assertThat(OtlpJson.print(ExportMetricsServiceResponse.getDefaultInstance())).asString().isEqualTo("{}");
        Message partial = ExportMetricsServiceResponse.newBuilder().setPartialSuccess(ExportMetricsPartialSuccess
                .newBuilder().setRejectedDataPoints(3).setErrorMessage("metric 'a<b>' \"x\" \u00e9 \u0001")).build();
        assertThat(new String(OtlpJson.print(partial), StandardCharsets.UTF_8)).isEqualTo(
                "{\"partialSuccess\":{\"rejectedDataPoints\":\"3\",\"errorMessage\":\"metric 'a<b>' \\\"x\\\" \u00e9 \\u0001\"}}")
                .isEqualTo(new String(OtlpJson.printThroughTree(partial), StandardCharsets.UTF_8));
        // a message with doubles and bytes takes the longer way, with the same result as before
        KeyValue kv = KeyValue.newBuilder().setKey("k").setValue(AnyValue.newBuilder().setDoubleValue(1.5)).build();
        assertThat(OtlpJson.print(kv)).isEqualTo(OtlpJson.printThroughTree(kv));
    }
}
