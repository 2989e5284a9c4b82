package dev.odin.probes.power;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.series.LabelSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import oshi.SystemInfo;
import oshi.hardware.PowerSource;

/**
 * Batteries through OSHI where there is no sysfs (a MacBook's IOKit, Windows' battery API), with
 * the node_power_supply_* names {@link BatteryProbe} writes on Linux. OSHI reports what the
 * platform knows; a value it does not know (negative, or 0 for a capacity) is left out.
 */
public final class OshiBatteryProbe implements Probe {

    private final Supplier<List<PowerSource>> sources;
    private String unsupported;

    /** On the machine ODIN runs on. */
    public OshiBatteryProbe() {
        this(null);
    }

    /** On the power sources {@code sources} lists (tests); null for the machine's. */
    public OshiBatteryProbe(Supplier<List<PowerSource>> sources) {
        this.sources = sources;
    }

    @Override
    public String name() {
        return "battery";
    }

    @Override
    public void collect(ProbeReadings r) throws Exception {
        List<PowerSource> all = list();
        if (all.isEmpty()) {
            throw new Probe.AbsentException("no battery (OSHI lists no power source)");
        }
        for (PowerSource p : all) {
            String supply = p.getName() == null || p.getName().isBlank() ? "BAT" : p.getName().trim();
            LabelSet l = LabelSet.of("power_supply", supply);
            double capacity = p.getRemainingCapacityPercent();
            if (capacity >= 0 && capacity <= 1) {
                gauge(r, "capacity", "capacity", Math.round(capacity * 100), l);
            }
            gauge(r, "online", "online", p.isPowerOnLine() ? 1 : 0, l);
            gauge(r, "present", "present", 1, l);
            if (p.getCycleCount() >= 0) {
                gauge(r, "cyclecount", "cycle_count", p.getCycleCount(), l);
            }
            // milliwatts; some platforms sign it by direction, sysfs's power_now is a magnitude
            if (p.getPowerUsageRate() != 0) {
                gauge(r, "power_watt", "power_now", Math.abs(p.getPowerUsageRate()) / 1000.0, l);
            }
            if (p.getVoltage() > 0) {
                gauge(r, "voltage_volt", "voltage_now", p.getVoltage(), l);
            }
            if (p.getAmperage() != 0) {
                gauge(r, "current_ampere", "current_now", Math.abs(p.getAmperage()) / 1000.0, l);
            }
            capacities(r, p, l);
            List<String> labels = new ArrayList<>(List.of("power_supply", supply, "type", "Battery", "status",
                    status(p)));
            add(labels, "manufacturer", p.getManufacturer());
            add(labels, "serial_number", p.getSerialNumber());
            add(labels, "technology", p.getChemistry());
            r.info("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.",
                    LabelSet.of(labels.toArray(new String[0])));
        }
    }

    private List<PowerSource> list() throws Probe.AbsentException {
        if (sources != null) {
            return sources.get();
        }
        if (unsupported != null) {
            throw new Probe.AbsentException(unsupported);
        }
        try {
            return new SystemInfo().getHardware().getPowerSources();
        } catch (RuntimeException | LinkageError e) {
            unsupported = "OSHI cannot read this machine's power sources (" + System.getProperty("os.name") + "): "
                    + e;
            throw new Probe.AbsentException(unsupported);
        }
    }

    /** mWh become the energy_* watt-hours, mAh the charge_* ampere-hours, as sysfs would name them. */
    private static void capacities(ProbeReadings r, PowerSource p, LabelSet l) {
        PowerSource.CapacityUnits units = p.getCapacityUnits();
        String prefix;
        if (units == PowerSource.CapacityUnits.MWH) {
            prefix = "energy";
        } else if (units == PowerSource.CapacityUnits.MAH) {
            prefix = "charge";
        } else {
            return; // RELATIVE: only a percentage, already in capacity
        }
        String now = prefix.equals("energy") ? "energy_watthour" : "charge_ampere";
        if (p.getCurrentCapacity() > 0) {
            gauge(r, now, prefix + "_now", p.getCurrentCapacity() / 1000.0, l);
        }
        if (p.getMaxCapacity() > 0) {
            gauge(r, prefix + "_full", prefix + "_full", p.getMaxCapacity() / 1000.0, l);
        }
        if (p.getDesignCapacity() > 0) {
            gauge(r, prefix + "_full_design", prefix + "_full_design", p.getDesignCapacity() / 1000.0, l);
        }
    }

    private static String status(PowerSource p) {
        if (p.isCharging()) {
            return "Charging";
        }
        if (p.isDischarging()) {
            return "Discharging";
        }
        return p.isPowerOnLine() ? "Full" : "Unknown";
    }

    private static void add(List<String> labels, String name, String value) {
        if (value != null && !value.isBlank() && !value.equalsIgnoreCase("unknown")) {
            labels.add(name);
            labels.add(value.trim());
        }
    }

    private static void gauge(ProbeReadings r, String suffix, String file, double value, LabelSet l) {
        r.gauge("node_power_supply_" + suffix, "value of " + file + " file of a power supply", value, l);
    }
}
