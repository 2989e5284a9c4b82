package dev.odin.pipeline;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The tees' thread pool ({@code odin.tee.*}): the executor {@code teeExecutor} that a
 * {@code wireTap} names sends the copies on. Bounded, because a copy holds the whole decoded
 * request outside the admission budget: past {@code queueSize} waiting copies, a new one is
 * dropped and counted ({@code odin_tee_dropped_total}), never run on the request's thread.
 *
 * @param threads copies sent at the same time
 * @param queueSize copies that may wait for a thread; past it, new copies are dropped
 */
@ConfigurationProperties(prefix = "odin.tee")
public record TeeProperties(@DefaultValue("2") int threads, @DefaultValue("64") int queueSize) {

    public TeeProperties {
        if (threads < 1 || queueSize < 0) {
            throw new IllegalArgumentException("odin.tee: threads must be at least 1 and queue-size at least 0, not "
                    + threads + " and " + queueSize);
        }
    }
}
