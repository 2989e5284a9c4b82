package dev.odin.delivery;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What the event-sink tests send and read back. */
final class EventSinkRoutes {

    private EventSinkRoutes() {
    }

    /** One request of {@code bodies.length} records of service {@code service}. */
    static byte[] logs(String service, String... bodies) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        long t = 1_795_358_400_000_000_000L;
        for (String b : bodies) {
            scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t++)
                    .setBody(AnyValue.newBuilder().setStringValue(b)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeLogs(scope)).build().toByteArray();
    }

    /** Every line of the event files under {@code dataDir}/events. */
    static List<String> eventFileLines(String dataDir) {
        Path dir = Path.of(dataDir, "events");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                out.addAll(Files.readAllLines(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
