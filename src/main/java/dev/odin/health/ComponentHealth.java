package dev.odin.health;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The health of one component (a receiver, a sink, a probe): its status, when it last
 * succeeded, its last ten errors with their times, and a few details. Written by the component,
 * read by /health; thread-safe. Reading it does no work, so /health stays cheap.
 */
public final class ComponentHealth implements HealthIndicator {

    static final int MAX_ERRORS = 10;

    /** One remembered error. */
    public record Error(Instant time, String message) {
    }

    private final String name;
    private ComponentStatus status = ComponentStatus.UNKNOWN;
    private String reason = "not run yet";
    private Instant lastSuccess;
    private final Deque<Error> errors = new ArrayDeque<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    public ComponentHealth(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public synchronized ComponentStatus status() {
        return status;
    }

    public synchronized Instant lastSuccess() {
        return lastSuccess;
    }

    public synchronized List<Error> errors() {
        return new ArrayList<>(errors);
    }

    /** A cycle or an operation that did all it should. */
    public synchronized void success(Instant at) {
        status = ComponentStatus.UP;
        reason = null;
        lastSuccess = at;
    }

    /**
     * It worked in part: the status is DEGRADED for {@code why}, and {@code newErrors} are
     * remembered (a condition that persists is remembered once, not once per cycle).
     */
    public synchronized void degraded(Instant at, String why, List<String> newErrors) {
        status = ComponentStatus.DEGRADED;
        reason = why;
        lastSuccess = at;
        newErrors.forEach(w -> remember(at, w));
    }

    /** It failed; {@code status} says how much that matters (DEGRADED for a probe, DOWN for a receiver). */
    public synchronized void failure(Instant at, ComponentStatus failed, String why) {
        status = failed;
        reason = why;
        remember(at, why);
    }

    /** This machine does not have it; that is normal. */
    public synchronized void absent(String why) {
        status = ComponentStatus.ABSENT;
        reason = why;
    }

    public synchronized void detail(String key, Object value) {
        details.put(key, value);
    }

    private void remember(Instant at, String message) {
        if (errors.size() == MAX_ERRORS) {
            errors.removeFirst();
        }
        errors.addLast(new Error(at, message));
    }

    @Override
    public synchronized Health health() {
        Health.Builder b = Health.status(status.actuatorStatus());
        if (reason != null) {
            b.withDetail("reason", reason);
        }
        b.withDetail("lastSuccess", lastSuccess == null ? "never" : lastSuccess.toString());
        b.withDetails(details);
        if (!errors.isEmpty()) {
            List<Map<String, String>> list = new ArrayList<>(errors.size());
            for (Error e : errors) {
                list.add(Map.of("time", e.time().toString(), "message", e.message()));
            }
            b.withDetail("lastErrors", list);
        }
        return b.build();
    }
}
