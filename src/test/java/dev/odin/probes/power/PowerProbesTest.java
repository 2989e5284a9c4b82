package dev.odin.probes.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.health.ComponentHealth;
import dev.odin.health.ComponentStatus;
import dev.odin.probes.ProbeRunner;
import dev.odin.probes.StoreView;
import dev.odin.probes.SysFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.AccessDeniedException;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RAPL and power supplies against a fake sysfs tree. */
class PowerProbesTest {

    @TempDir
    Path sys;

    private final StoreView view = new StoreView();

    private Path zone(String dir, String name, long energy, long range) throws Exception {
        Path z = Files.createDirectories(sys.resolve("class/powercap").resolve(dir));
        Files.writeString(z.resolve("name"), name + "\n");
        Files.writeString(z.resolve("energy_uj"), energy + "\n");
        Files.writeString(z.resolve("max_energy_range_uj"), range + "\n");
        return z;
    }

    @Test
    void raplZonesWithNodeExporterNamesAndAWrapAround() throws Exception {
        long range = 262_143_328_850L;
        Path pkg = zone("intel-rapl:0", "package-0", 262_000_000_000L, range);
        zone("intel-rapl:0:0", "core", 5_000_000L, range);
        zone("intel-rapl:0:1", "dram", 7_250_000L, range);
        RaplProbe probe = new RaplProbe(sys);
        view.cycle(probe);
        String pkgPath = pkg.toString();
        assertEquals(262_000.0, view.value("node_rapl_package_joules_total", "index", "0", "path", pkgPath));
        assertEquals(5.0, view.value("node_rapl_core_joules_total", "index", "0",
                "path", sys.resolve("class/powercap/intel-rapl:0:0").toString()));
        assertEquals(7.25, view.value("node_rapl_dram_joules_total", "index", "1",
                "path", sys.resolve("class/powercap/intel-rapl:0:1").toString()));

        // the hardware counter wraps at max_energy_range_uj: 262,000 J + (range - 262e9 + 1e9) uJ
        Files.writeString(pkg.resolve("energy_uj"), "1000000000\n");
        view.cycle(probe);
        double expected = (262_000_000_000L + (range - 262_000_000_000L) + 1_000_000_000L) / 1e6;
        assertEquals(expected, view.value("node_rapl_package_joules_total", "index", "0", "path", pkgPath), 1e-6);
        Files.writeString(pkg.resolve("energy_uj"), "3000000000\n");
        view.cycle(probe);
        assertEquals(expected + 2000, view.value("node_rapl_package_joules_total", "index", "0", "path", pkgPath),
                1e-6);
    }

    @Test
    void rootOnlyEnergyIsReportedOnceAndTheOtherZonesStillRead() throws Exception {
        zone("intel-rapl:0", "package-0", 1_000_000L, 262_143_328_850L);
        Path core = zone("intel-rapl:0:0", "core", 2_000_000L, 262_143_328_850L);
        // what a kernel with the 2020 PLATYPUS fix answers a non-root reader
        RaplProbe probe = new RaplProbe(sys, file -> {
            if (file.startsWith(core)) {
                throw new AccessDeniedException(file.toString());
            }
            return SysFiles.readLong(file);
        });
        ComponentHealth health = new ComponentHealth("rapl");
        ProbeRunner runner = new ProbeRunner(probe, view.readings, health, Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            runner.runCycle();
        }
        assertEquals(ComponentStatus.DEGRADED, health.status());
        assertEquals(1, health.errors().size(), "reported once, not every cycle: " + health.errors());
        assertTrue(health.errors().get(0).message().contains("readable by root only"));
        assertEquals(1.0, view.value("node_rapl_package_joules_total", "index", "0",
                "path", sys.resolve("class/powercap/intel-rapl:0").toString()));
        assertNull(view.value("node_rapl_core_joules_total", "index", "0", "path", core.toString()));
        assertEquals(0.0, view.value("odin_probe_success", "probe", "rapl"));
    }

    @Test
    void noRaplIsAbsent() {
        ComponentHealth health = new ComponentHealth("rapl");
        new ProbeRunner(new RaplProbe(sys), view.readings, health, Clock.systemUTC()).runCycle();
        assertEquals(ComponentStatus.ABSENT, health.status());
    }

    private Path supply(String name, String... files) throws Exception {
        Path d = Files.createDirectories(sys.resolve("class/power_supply").resolve(name));
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(d.resolve(files[i]), files[i + 1] + "\n");
        }
        return d;
    }

    @Test
    void batteriesDischargingAndChargingAndAnAcAdapter() throws Exception {
        supply("BAT0", "type", "Battery", "status", "Discharging", "capacity", "73", "power_now", "11520000",
                "energy_now", "38940000", "energy_full", "53340000", "energy_full_design", "57000000",
                "voltage_now", "11880000", "manufacturer", "SMP", "model_name", "5B10W13975", "technology", "Li-poly",
                "present", "1");
        supply("BAT1", "type", "Battery", "status", "Charging", "capacity", "41", "current_now", "1650000",
                "charge_now", "2050000", "charge_full", "5000000", "voltage_now", "12600000");
        supply("AC", "type", "Mains", "online", "1");
        view.cycle(new BatteryProbe(sys));
        assertEquals(73.0, view.value("node_power_supply_capacity", "power_supply", "BAT0"));
        assertEquals(11.52, view.value("node_power_supply_power_watt", "power_supply", "BAT0"), 1e-9);
        assertEquals(38.94, view.value("node_power_supply_energy_watthour", "power_supply", "BAT0"), 1e-9);
        assertEquals(53.34, view.value("node_power_supply_energy_full", "power_supply", "BAT0"), 1e-9);
        assertEquals(11.88, view.value("node_power_supply_voltage_volt", "power_supply", "BAT0"), 1e-9);
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "BAT0", "type", "Battery", "status",
                "Discharging", "manufacturer", "SMP", "model_name", "5B10W13975", "technology", "Li-poly"));
        assertEquals(41.0, view.value("node_power_supply_capacity", "power_supply", "BAT1"));
        assertEquals(1.65, view.value("node_power_supply_current_ampere", "power_supply", "BAT1"), 1e-9);
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "BAT1", "type", "Battery", "status",
                "Charging"));
        assertEquals(1.0, view.value("node_power_supply_online", "power_supply", "AC"));
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "AC", "type", "Mains"));
        assertNull(view.value("node_power_supply_capacity", "power_supply", "AC"));
    }

    @Test
    void aBatteryStatusChangeReplacesItsInfoSeries() throws Exception {
        Path bat = supply("BAT0", "type", "Battery", "status", "Discharging", "capacity", "20");
        BatteryProbe probe = new BatteryProbe(sys);
        view.cycle(probe);
        Files.writeString(bat.resolve("status"), "Charging\n");
        view.cycle(probe);
        assertNull(view.value("node_power_supply_info", "power_supply", "BAT0", "type", "Battery", "status",
                "Discharging"));
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "BAT0", "type", "Battery", "status",
                "Charging"));
        assertEquals(1, view.size("node_power_supply_info"));
    }

    @Test
    void noPowerSupplyIsAbsent() {
        ComponentHealth health = new ComponentHealth("battery");
        new ProbeRunner(new BatteryProbe(sys), view.readings, health, Clock.systemUTC()).runCycle();
        assertEquals(ComponentStatus.ABSENT, health.status());
    }
}
