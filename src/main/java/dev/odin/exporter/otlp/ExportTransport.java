package dev.odin.exporter.otlp;

import dev.odin.signal.Signal;

/** Sends one export (a serialized Export*ServiceRequest of one signal) and says what became of it. */
interface ExportTransport extends AutoCloseable {

    /** Must not throw for a remote failure: that is an answer (retry later, or permanent). */
    ExportAnswer export(Signal signal, byte[] request);

    @Override
    default void close() {
    }
}
