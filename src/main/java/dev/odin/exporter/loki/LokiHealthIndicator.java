package dev.odin.exporter.loki;

import dev.odin.delivery.DiskQueue;
import java.io.IOException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * A Loki's component of /health (loki, loki-<name>): UP while deliveries succeed, DEGRADED while they are being
 * retried (with the last errors), and the queue's backlog either way.
 */
public final class LokiHealthIndicator extends AbstractHealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "Loki is not accepting events; they wait on disk");

    private final LokiSink sink;

    public LokiHealthIndicator(LokiSink sink) {
        this.sink = sink;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws IOException {
        DiskQueue q = sink.queue();
        long oldest = q.oldestEnqueuedMillis();
        builder.status(sink.retrying() ? DEGRADED : Status.UP)
                .withDetail("queuedRecords", q.pendingRecords())
                .withDetail("queuedBytes", q.pendingBytes())
                .withDetail("oldestQueuedSeconds", oldest < 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000)
                .withDetail("droppedRecords", q.droppedRecords());
        if (!sink.lastErrors().isEmpty()) {
            builder.withDetail("lastErrors", sink.lastErrors());
        }
    }
}
