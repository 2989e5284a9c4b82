package dev.odin.receiver.otlp;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failure inside ODIN while it handled a request (a defect, not the client's doing). The client
 * gets a generic message with an error id, never the exception's text (which can hold pieces of
 * the request, or internals). The log gets the detail under that id: exception classes, messages
 * cut short and on one line, and stack frames; at most one such entry per interval, the others as
 * one short DEBUG line each with their id, counted in the next entry.
 */
public final class InternalErrors {

    private static final Logger log = LoggerFactory.getLogger(InternalErrors.class);

    /** Characters of an exception message that reach the log. */
    static final int MAX_MESSAGE = 160;
    private static final int MAX_FRAMES = 24;
    private static final int MAX_CAUSES = 4;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextEntry;
    private final AtomicLong suppressed = new AtomicLong();

    public InternalErrors() {
        this(TimeUnit.SECONDS.toNanos(10), System::nanoTime);
    }

    InternalErrors(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.nextEntry = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Logs the failure (rate-limited) and returns what the client is told.
     *
     * @param what the request, for the log: "OTLP/HTTP metrics request"
     */
    public String report(String what, Throwable failure) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE).substring(4);
        long now = nanoClock.getAsLong();
        long next = nextEntry.get();
        if (now - next >= 0 && nextEntry.compareAndSet(next, now + intervalNanos)) {
            long others = suppressed.getAndSet(0);
            log.error("{} failed inside ODIN (error id {}{}): {}", what, id,
                    others == 0 ? "" : "; " + others + " more since the last entry, logged at DEBUG",
                    detail(failure));
        } else {
            suppressed.incrementAndGet();
            log.debug("{} failed inside ODIN (error id {}): {}", what, id, oneLine(failure));
        }
        return clientMessage(id);
    }

    static String clientMessage(String id) {
        return "internal error in ODIN (error id " + id + "); the request was not applied, its detail is in ODIN's log";
    }

    /** Classes, short messages and stack frames of the failure and its causes. */
    static String detail(Throwable failure) {
        StringBuilder b = new StringBuilder();
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause() == t ? null : t.getCause()) {
            if (depth > 0) {
                b.append("\nCaused by: ");
            }
            b.append(oneLine(t));
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                b.append("\n\tat ").append(frames[i]);
            }
            if (frames.length > MAX_FRAMES) {
                b.append("\n\t... ").append(frames.length - MAX_FRAMES).append(" more");
            }
        }
        return b.toString();
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getName();
        }
        m = m.replaceAll("[\\p{Cntrl}]+", " ");
        return t.getClass().getName() + ": " + (m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE)
                + "... (" + m.length() + " characters)");
    }
}
