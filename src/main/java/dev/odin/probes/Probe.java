package dev.odin.probes;

/** One kind of reading of the machine, taken once per cycle of its timer route. */
public interface Probe {

    /** The component name in /health and the {@code probe} label of odin_probe_* metrics. */
    String name();

    /**
     * Reads the machine and writes what it found. Parts it cannot read are reported with
     * {@link ProbeReadings#error}; the rest is still written.
     *
     * @throws AbsentException when this machine does not have the thing (no GPU, no battery)
     * @throws Exception when nothing could be read
     */
    void collect(ProbeReadings readings) throws Exception;

    /** The machine does not have what this probe reads; that is normal, not a failure. */
    final class AbsentException extends Exception {
        public AbsentException(String message) {
            super(message, null, false, false);
        }
    }
}
