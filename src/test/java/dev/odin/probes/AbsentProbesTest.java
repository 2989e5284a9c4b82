package dev.odin.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.odin.health.ComponentHealth;
import dev.odin.health.ComponentStatus;
import dev.odin.probes.gpu.GpuProbe;
import dev.odin.probes.host.FilesystemStats;
import dev.odin.probes.host.HostProbe;
import dev.odin.probes.power.BatteryProbe;
import dev.odin.probes.power.RaplProbe;
import dev.odin.probes.process.ProcessProbe;
import dev.odin.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Mac-like host: no procfs, no sysfs, no nvidia-smi. Every probe that reads them is ABSENT
 * with its reason, says so in one INFO line however many cycles run, and writes only its own
 * odin_probe_* series.
 */
class AbsentProbesTest {

    @TempDir
    Path dir;

    private List<Probe> probes(Path proc, Path sys) {
        return List.of(
                new HostProbe(proc, sys, "/", Clock.systemUTC(), FilesystemStats.statvfs()),
                new ProcessProbe(proc, new ProbeProperties().getProcess().getGroups()),
                new RaplProbe(sys),
                new BatteryProbe(sys),
                new GpuProbe(dir.resolve("no-such-nvidia-smi").toString(), Duration.ofSeconds(5)));
    }

    @Test
    void emptyRootsAndNoNvidiaSmiAreAbsentAndLoggedOnce() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Path sys = Files.createDirectories(dir.resolve("sys"));
        check(proc, sys, "the directory is empty");
    }

    @Test
    void missingRootsAreAbsentToo() throws Exception {
        check(dir.resolve("nonexistent-proc"), dir.resolve("nonexistent-sys"), "not Linux");
    }

    private void check(Path proc, Path sys, String procfsReason) throws Exception {
        StoreView view = new StoreView();
        try (LogCapture log = LogCapture.rootOnThisThread()) {
            for (Probe probe : probes(proc, sys)) {
                ComponentHealth health = new ComponentHealth(probe.name());
                ProbeRunner runner = new ProbeRunner(probe, new ProbeReadings(view.store), health, Clock.systemUTC());
                for (int i = 0; i < 4; i++) {
                    runner.runCycle();
                }
                assertEquals(ComponentStatus.ABSENT, health.status(), probe.name());
                assertTrue(health.errors().isEmpty(), probe.name() + ": " + health.errors());
                String reason = (String) health.health().getDetails().get("reason");
                assertTrue(reason != null && !reason.isBlank(), probe.name() + " says why it is absent");
                if (probe.name().equals("host") || probe.name().equals("process")) {
                    assertTrue(reason.contains(proc.toString()) && reason.contains(procfsReason), reason);
                }
                assertEquals(1.0, view.value("odin_probe_success", "probe", probe.name()));
                assertEquals(0.0, view.value("odin_probe_errors_total", "probe", probe.name()));
                List<String> lines = log.lines().stream().filter(l -> l.contains("probe " + probe.name() + " "))
                        .toList();
                assertEquals(List.of("INFO " + ProbeRunner.class.getName() + " probe " + probe.name() + " absent: "
                        + reason), lines, "one INFO line in four cycles");
            }
            assertEquals(List.of(), log.lines(Level.WARN));
        }
        for (String family : new String[] {"node_cpu_seconds_total", "node_time_seconds", "namedprocess_namegroup_num_procs",
            "node_power_supply_info", "nvidia_smi_last_collect_success"}) {
            assertEquals(0, view.size(family), family + " is not written by an absent probe");
        }
    }

    @Test
    void aProbeThatComesBackAndGoesAgainIsLoggedAgain() throws Exception {
        Path sys = Files.createDirectories(dir.resolve("sys"));
        StoreView view = new StoreView();
        ComponentHealth health = new ComponentHealth("battery");
        ProbeRunner runner = new ProbeRunner(new BatteryProbe(sys), view.readings, health, Clock.systemUTC());
        try (LogCapture log = LogCapture.rootOnThisThread()) {
            runner.runCycle();
            Path bat = Files.createDirectories(sys.resolve("class/power_supply/BAT0"));
            Files.writeString(bat.resolve("capacity"), "80\n");
            runner.runCycle();
            assertEquals(ComponentStatus.UP, health.status());
            assertEquals(80.0, view.value("node_power_supply_capacity", "power_supply", "BAT0"));
            Files.delete(bat.resolve("capacity"));
            Files.delete(bat);
            runner.runCycle();
            runner.runCycle();
            assertEquals(ComponentStatus.ABSENT, health.status());
            assertEquals(2, log.lines().stream().filter(l -> l.contains("probe battery absent")).count(),
                    log.text());
        }
    }
}
