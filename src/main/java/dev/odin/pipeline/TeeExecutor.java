package dev.odin.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tees' thread pool, {@code teeExecutor} in Camel's registry: {@code threads} threads, at most
 * {@code queueSize} copies waiting; a copy past that is dropped and counted in
 * {@code odin_tee_dropped_total} (never run on the request's thread, never an error for the
 * request). Not itself an {@link java.util.concurrent.Executor}, so Spring Boot keeps its own.
 */
public final class TeeExecutor {

    /** The name a wireTap's {@code executorService} gives. */
    public static final String NAME = "teeExecutor";

    private final ThreadPoolExecutor pool;

    public TeeExecutor(int threads, int queueSize, MeterRegistry registry) {
        Counter dropped = Counter.builder("odin.tee.dropped")
                .description("Tee copies dropped because odin.tee.queue-size copies were already waiting;"
                        + " the requests they copied were not affected").register(registry);
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                queueSize == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueSize), r -> {
                    Thread t = new Thread(r, "odin-tee-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (task, executor) -> dropped.increment());
        pool.allowCoreThreadTimeOut(true);
    }

    public ExecutorService pool() {
        return pool;
    }

    public void shutdownNow() {
        pool.shutdownNow();
    }
}
