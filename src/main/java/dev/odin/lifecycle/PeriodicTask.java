package dev.odin.lifecycle;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * An internal timer that belongs to its component rather than to the routes (series expiry,
 * usage retention, budgets, tokens reload, alert escalation): nothing an operator edits in YAML.
 * Its own single daemon thread runs the task one second after the start (as Camel's timer did),
 * then {@code period} after each run ends; Spring's lifecycle starts it with the context and
 * stops it on shutdown. A task that throws is logged and runs again at its next turn.
 */
public final class PeriodicTask implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);
    private static final long FIRST_RUN_MILLIS = 1000;

    private final String name;
    private final Duration period;
    private final Task task;
    private volatile ScheduledExecutorService executor;

    /** @param name the thread's name after "odin-", also in the log when the task fails */
    /** What runs at each turn; whatever it throws is logged. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    public PeriodicTask(String name, Duration period, Task task) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException(name + ": the period must be positive, not " + period);
        }
        this.name = name;
        this.period = period;
        this.task = task;
    }

    public String name() {
        return name;
    }

    public Duration period() {
        return period;
    }

    /** One run now, on the caller's thread (what the timer does at each turn). */
    public void runOnce() {
        try {
            task.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} failed: {}", name, e.toString(), e);
        }
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "odin-" + name);
            t.setDaemon(true);
            return t;
        });
        e.scheduleWithFixedDelay(this::runOnce, FIRST_RUN_MILLIS, period.toMillis(), TimeUnit.MILLISECONDS);
        executor = e;
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService e = executor;
        executor = null;
        if (e == null) {
            return;
        }
        e.shutdownNow();
        try {
            e.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
