package dev.odin.probes;

import dev.odin.health.ComponentHealth;
import dev.odin.health.ComponentStatus;
import dev.odin.series.LabelSet;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one probe's cycle for its timer route: times it, writes its readings, keeps its health
 * (UP, DEGRADED with the errors, ABSENT) and its odin_probe_* series. A failing probe never fails
 * the route: the error is in /health and in odin_probe_success, and the next cycle tries again.
 */
public final class ProbeRunner implements Processor {

    private static final Logger log = LoggerFactory.getLogger(ProbeRunner.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Probe probe;
    private final ProbeReadings readings;
    private final ComponentHealth health;
    private final Clock clock;
    private final LabelSet probeLabel;
    private long lastSuccessMillis = -1;
    /** The last failure's message, so a failure that repeats every cycle is logged once. */
    private String lastFailure;
    /** Why the probe was ABSENT last time it was, so that is logged once (at start), not every cycle. */
    private String lastAbsence;
    private long errorCount;
    private long cycles;
    private long cpuNanosTotal;
    private final long createdMillis;

    public ProbeRunner(Probe probe, ProbeReadings readings, ComponentHealth health, Clock clock) {
        this.probe = probe;
        this.readings = readings;
        this.health = health;
        this.clock = clock;
        this.probeLabel = LabelSet.of("probe", probe.name());
        this.createdMillis = clock.millis();
    }

    public Probe probe() {
        return probe;
    }

    @Override
    public void process(Exchange exchange) {
        runCycle();
    }

    /** One cycle; synchronized because a route and a test (or benchmark) may both call it. */
    public synchronized void runCycle() {
        long startMillis = clock.millis();
        long startNanos = System.nanoTime();
        long startCpu = THREADS.getCurrentThreadCpuTime();
        readings.begin(startMillis);
        boolean ok;
        Instant at = Instant.ofEpochMilli(startMillis);
        try {
            probe.collect(readings);
            lastAbsence = null;
            ok = readings.degradedBecause() == null;
            if (ok) {
                health.success(at);
            } else {
                health.degraded(at, readings.degradedBecause(), readings.errors());
                readings.errors().forEach(e -> log.warn("probe {}: {}", probe.name(), e));
                errorCount += readings.errors().size();
            }
        } catch (Probe.AbsentException e) {
            readings.begin(startMillis);
            ok = true;
            if (!java.util.Objects.equals(e.getMessage(), lastAbsence)) {
                log.info("probe {} absent: {}", probe.name(), e.getMessage());
                lastAbsence = e.getMessage();
            }
            health.absent(e.getMessage());
        } catch (Exception e) {
            readings.begin(startMillis);
            ok = false;
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (health.status() != ComponentStatus.DEGRADED || !why.equals(lastFailure)) {
                log.warn("probe {} failed: {}", probe.name(), why);
            }
            lastFailure = why;
            health.failure(at, ComponentStatus.DEGRADED, why);
            errorCount++;
        }
        if (ok) {
            lastSuccessMillis = startMillis;
            lastFailure = null;
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - startCpu;
        cycles++;
        cpuNanosTotal += cpu;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        readings.gauge("odin_probe_success", "1 when the probe's last cycle read everything it should", ok ? 1 : 0,
                probeLabel);
        readings.gauge("odin_probe_duration_seconds", "Wall time of the probe's last cycle", seconds, probeLabel);
        if (lastSuccessMillis >= 0) {
            readings.gauge("odin_probe_last_success_timestamp_seconds", "When the probe last read everything",
                    lastSuccessMillis / 1000.0, probeLabel);
        }
        readings.counter("odin_probe_errors_total", "Errors probe cycles met", errorCount, createdMillis, probeLabel);
        readings.counter("odin_probe_cpu_seconds_total", "CPU time spent in probe cycles", cpuNanosTotal / 1e9, createdMillis,
                probeLabel);
        readings.commit();
        health.detail("cycles", cycles);
        health.detail("lastCycleSeconds", seconds);
    }

    /** CPU nanoseconds spent in all cycles so far (benchmarks). */
    public synchronized long cpuNanosTotal() {
        return cpuNanosTotal;
    }
}
