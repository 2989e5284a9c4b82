package dev.odin.probes.power;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Intel RAPL energy counters from /sys/class/powercap (OSHI has none), with node_exporter's
 * names: {@code node_rapl_<zone>_joules_total{index,path}}. The hardware counter wraps at
 * max_energy_range_uj; the exposed counter adds each increase across the wrap so it never goes
 * backwards. Since 2020 kernels make energy_uj root-only: that is reported once, not every cycle.
 */
public final class RaplProbe implements Probe {

    private final Path sys;
    /** Per zone directory: the last raw reading and the total the counter exposes. */
    private final Map<String, long[]> zones = new HashMap<>();
    private final long startMillis = System.currentTimeMillis();

    /** Reads one energy_uj file; a test stands in for a kernel that makes it root-only. */
    public interface EnergyReader {
        Long read(Path file) throws IOException;
    }

    private final EnergyReader energy;

    public RaplProbe(Path sys) {
        this(sys, SysFiles::readLong);
    }

    public RaplProbe(Path sys, EnergyReader energy) {
        this.sys = sys;
        this.energy = energy;
    }

    @Override
    public String name() {
        return "rapl";
    }

    @Override
    public void collect(ProbeReadings r) throws Exception {
        Path powercap = sys.resolve("class/powercap");
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(powercap)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(powercap, "intel-rapl:*")) {
                ds.forEach(dirs::add);
            }
        }
        if (dirs.isEmpty()) {
            throw new Probe.AbsentException("no RAPL zones in " + powercap);
        }
        dirs.sort(null);
        int read = 0;
        for (Path dir : dirs) {
            String zoneName = SysFiles.readLine(dir.resolve("name"));
            if (zoneName == null) {
                continue;
            }
            String dirName = dir.getFileName().toString();
            long raw;
            try {
                Long v = energy.read(dir.resolve("energy_uj"));
                if (v == null) {
                    r.error(dirName + "/energy_uj holds no number");
                    continue;
                }
                raw = v;
            } catch (AccessDeniedException e) {
                r.errorOnce("denied:" + dirName, dir.resolve("energy_uj") + " is readable by root only"
                        + " (kernels since 5.10 restrict it); run the probe as root or grant read access");
                continue;
            } catch (IOException e) {
                r.error(dirName + "/energy_uj: " + e);
                continue;
            }
            Long range = SysFiles.readLong(dir.resolve("max_energy_range_uj"));
            double joules = total(dir.toString(), raw, range == null ? 0 : range) / 1e6;
            Zone z = Zone.of(zoneName, dirName);
            r.counter("node_rapl_" + z.name() + "_joules_total", "Current RAPL " + z.name() + " value in joules",
                    joules, startMillis, LabelSet.of("index", z.index(), "path", dir.toString()));
            read++;
        }
        if (read == 0 && r.degradedBecause() == null) {
            r.error("no RAPL zone could be read");
        }
    }

    /** The microjoules the counter shows: the first reading, plus every increase since, across wraps. */
    private long total(String key, long raw, long range) {
        long[] z = zones.get(key);
        if (z == null) {
            zones.put(key, new long[] {raw, raw});
            return raw;
        }
        long delta = raw >= z[0] ? raw - z[0] : (range > 0 ? range - z[0] + raw : raw);
        z[0] = raw;
        z[1] += delta;
        return z[1];
    }

    /** node_exporter's zone naming: "package-0" is zone package, index 0; "core" takes its directory's index. */
    record Zone(String name, String index) {
        static Zone of(String zoneName, String dirName) {
            String name = zoneName;
            String index = dirName.substring(dirName.lastIndexOf(':') + 1);
            int dash = zoneName.lastIndexOf('-');
            if (dash > 0 && zoneName.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                name = zoneName.substring(0, dash);
                index = zoneName.substring(dash + 1);
            }
            return new Zone(name.replaceAll("[^a-zA-Z0-9_]", "_"), index);
        }
    }
}
