package dev.odin.probes.power;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Batteries and AC adapters from /sys/class/power_supply, with node_exporter's
 * {@code node_power_supply_*} names and its {@code power_supply} label.
 */
public final class BatteryProbe implements Probe {

    /** Numeric attributes: file, metric suffix, scale (sysfs reports micro-units). */
    private static final Object[][] NUMBERS = {
        {"capacity", "capacity", 1.0},
        {"online", "online", 1.0},
        {"present", "present", 1.0},
        {"cyclecount", "cyclecount", 1.0},
        {"cycle_count", "cyclecount", 1.0},
        {"power_now", "power_watt", 1e-6},
        {"energy_now", "energy_watthour", 1e-6},
        {"energy_full", "energy_full", 1e-6},
        {"energy_full_design", "energy_full_design", 1e-6},
        {"voltage_now", "voltage_volt", 1e-6},
        {"voltage_min_design", "voltage_min_design", 1e-6},
        {"current_now", "current_ampere", 1e-6},
        {"charge_now", "charge_ampere", 1e-6},
        {"charge_full", "charge_full", 1e-6},
        {"charge_full_design", "charge_full_design", 1e-6},
    };
    private static final String[] INFO = {"type", "status", "manufacturer", "model_name", "technology", "serial_number",
        "capacity_level", "scope"};

    private final Path sys;

    public BatteryProbe(Path sys) {
        this.sys = sys;
    }

    @Override
    public String name() {
        return "battery";
    }

    @Override
    public void collect(ProbeReadings r) throws IOException, Probe.AbsentException {
        Path dir = sys.resolve("class/power_supply");
        List<Path> supplies = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(supplies::add);
            }
        }
        if (supplies.isEmpty()) {
            throw new Probe.AbsentException("no battery or AC adapter in " + dir);
        }
        supplies.sort(null);
        for (Path s : supplies) {
            String supply = s.getFileName().toString();
            LabelSet l = LabelSet.of("power_supply", supply);
            try {
                for (Object[] n : NUMBERS) {
                    Long v = SysFiles.readLong(s.resolve((String) n[0]));
                    if (v != null) {
                        String metric = "node_power_supply_" + n[1];
                        r.gauge(metric, "value of " + n[0] + " file of a power supply", v * (double) n[2], l);
                    }
                }
                List<String> labels = new ArrayList<>(List.of("power_supply", supply));
                for (String attr : INFO) {
                    String v = SysFiles.readLine(s.resolve(attr));
                    if (v != null && !v.isEmpty()) {
                        labels.add(attr);
                        labels.add(v);
                    }
                }
                r.info("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.",
                        LabelSet.of(labels.toArray(new String[0])));
            } catch (IOException e) {
                r.error(supply + ": " + e);
            }
        }
    }
}
