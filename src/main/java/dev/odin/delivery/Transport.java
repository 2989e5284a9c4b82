package dev.odin.delivery;

import java.util.List;

/**
 * Sends one batch of entries (all of one type and one set of headers, in queue order) to where
 * a {@link QueuedSender} delivers, and says what became of it. Called on the sender's own
 * thread, one batch at a time; it must not throw for a remote failure (an exception is
 * treated as retry-later).
 */
@FunctionalInterface
public interface Transport {

    Outcome send(List<Entry> batch) throws Exception;
}
