package dev.odin.bench;

import java.util.concurrent.TimeUnit;

/** Spaces one worker's requests evenly at a given rate; a rate of 0 means as fast as possible. */
final class Pacer {

    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(double requestsPerSecond) {
        this.intervalNanos = requestsPerSecond > 0 ? (long) (1e9 / requestsPerSecond) : 0;
    }

    /** @return false when interrupted */
    boolean await() {
        if (intervalNanos == 0) {
            return true;
        }
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
