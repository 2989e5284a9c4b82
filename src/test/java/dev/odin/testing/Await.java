package dev.odin.testing;

import java.time.Duration;

/** Polls a condition until it holds, failing with what was awaited when it does not in time. */
public final class Await {

    private Await() {
    }

    public interface Check {
        boolean holds() throws Exception;
    }

    public static void until(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
