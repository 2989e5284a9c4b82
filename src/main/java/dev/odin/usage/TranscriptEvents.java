package dev.odin.usage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Route step of claude-transcripts, {@code bean: {ref: readTranscript, method: read}}: reads what
 * is new in the transcript file the file consumer found new or changed ({@link TranscriptFollower}
 * records its usage) and hands it on to the event sink as claude_code.transcript_usage events.
 */
public final class TranscriptEvents {

    private final TranscriptFollower follower;
    private final Clock clock;
    private final Duration maxAge;

    public TranscriptEvents(TranscriptFollower follower, Clock clock, Duration maxAge) {
        this.follower = follower;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /**
     * Body in: the file (ignored); reads the header {@code CamelFilePath}. Body out: the new
     * usage as an {@code ExportLogsServiceRequest}, or null when nothing new is recent enough
     * (within odin.claude.event-max-age) for the event sink.
     */
    public ExportLogsServiceRequest read(@Header(Exchange.FILE_PATH) String file) throws IOException {
        List<UsageEvent> added = follower.read(Path.of(file));
        return UsageLogRecords.of(added, clock.instant().minus(maxAge));
    }
}
