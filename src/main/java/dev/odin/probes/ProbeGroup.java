package dev.odin.probes;

import java.util.List;

/**
 * Probes that share one route and period (RAPL and batteries: probe-power), run one after the
 * other, each with its own health and readings, as a route with one step per probe did.
 */
public final class ProbeGroup {

    private final List<ProbeRunner> runners;

    public ProbeGroup(List<ProbeRunner> runners) {
        this.runners = List.copyOf(runners);
    }

    public List<ProbeRunner> runners() {
        return runners;
    }

    /** Route step (probe template): one cycle of each probe in turn; no body, header or property. */
    public void runCycle() {
        for (ProbeRunner r : runners) {
            r.runCycle();
        }
    }
}
