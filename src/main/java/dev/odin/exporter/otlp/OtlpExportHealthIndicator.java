package dev.odin.exporter.otlp;

import dev.odin.delivery.DiskQueue;
import java.io.IOException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The OTLP export's component of /health ({@code otlpExport}): UP while exports succeed, DEGRADED
 * while they are being retried (with the last errors), and the queue's backlog either way.
 */
public final class OtlpExportHealthIndicator extends AbstractHealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED",
            "the OTLP export endpoint is not taking requests; they wait on disk");

    private final OtlpExporter exporter;

    public OtlpExportHealthIndicator(OtlpExporter exporter) {
        this.exporter = exporter;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws IOException {
        DiskQueue q = exporter.queue();
        long oldest = q.oldestEnqueuedMillis();
        builder.status(exporter.sender().retrying() ? DEGRADED : Status.UP)
                .withDetail("endpoint", exporter.config().getEndpoint())
                .withDetail("queuedItems", q.pendingRecords())
                .withDetail("queuedBytes", q.pendingBytes())
                .withDetail("oldestQueuedSeconds", oldest < 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000)
                .withDetail("deadLetteredBatches", exporter.sender().deadLettered());
        if (!exporter.sender().lastErrors().isEmpty()) {
            builder.withDetail("lastErrors", exporter.sender().lastErrors());
        }
    }
}
