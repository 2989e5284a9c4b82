package dev.odin.usage.forward;

import dev.odin.delivery.DiskQueue;
import java.io.IOException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The usage forwarding's component of /health ({@code usageForward}, only with
 * odin.usage-forward.url set): UP while the central takes the usage, DEGRADED while deliveries are
 * retried (with the last errors), and the backlog either way.
 */
public final class UsageForwardHealthIndicator extends AbstractHealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED",
            "the central ODIN is not taking the forwarded usage; it waits on disk");

    private final UsageForwarder forwarder;

    public UsageForwardHealthIndicator(UsageForwarder forwarder) {
        this.forwarder = forwarder;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws IOException {
        DiskQueue q = forwarder.sender().queue();
        long oldest = q.oldestEnqueuedMillis();
        builder.status(forwarder.sender().retrying() ? DEGRADED : Status.UP)
                .withDetail("central", forwarder.uri().toString())
                .withDetail("queuedRecords", q.pendingRecords())
                .withDetail("queuedBytes", q.pendingBytes())
                .withDetail("oldestQueuedSeconds", oldest < 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000)
                .withDetail("deadLetteredBatches", forwarder.sender().deadLettered());
        if (!forwarder.sender().lastErrors().isEmpty()) {
            builder.withDetail("lastErrors", forwarder.sender().lastErrors());
        }
    }
}
