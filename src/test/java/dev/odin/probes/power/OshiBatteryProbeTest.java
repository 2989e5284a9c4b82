package dev.odin.probes.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.odin.probes.Probe;
import dev.odin.probes.StoreView;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import oshi.hardware.PowerSource;
import org.junit.jupiter.api.Test;

/** The OSHI battery probe (a MacBook's battery) on power sources as OSHI reports them. */
class OshiBatteryProbeTest {

    private final StoreView view = new StoreView();

    /** A power source answering {@code values} by method name (unknowns as OSHI reports them: -1, false, null). */
    private static PowerSource source(Map<String, Object> values) {
        return (PowerSource) Proxy.newProxyInstance(PowerSource.class.getClassLoader(),
                new Class<?>[] {PowerSource.class}, (proxy, method, args) -> {
                    Object v = values.get(method.getName());
                    if (v != null) {
                        return v;
                    }
                    Class<?> t = method.getReturnType();
                    if (t == double.class) {
                        return -1.0;
                    }
                    if (t == int.class) {
                        return -1;
                    }
                    if (t == boolean.class) {
                        return false;
                    }
                    return null;
                });
    }

    @Test
    void aMacBookBatteryUnderNodeExporterNames() throws Exception {
        PowerSource mac = source(Map.ofEntries(Map.entry("getName", "InternalBattery-0"),
                Map.entry("getRemainingCapacityPercent", 0.8), Map.entry("isPowerOnLine", false),
                Map.entry("isDischarging", true), Map.entry("getCycleCount", 212),
                Map.entry("getPowerUsageRate", -12_500.0), Map.entry("getVoltage", 12.3),
                Map.entry("getAmperage", -1_016.0), Map.entry("getCapacityUnits", PowerSource.CapacityUnits.MAH),
                Map.entry("getCurrentCapacity", 4_000), Map.entry("getMaxCapacity", 5_000),
                Map.entry("getDesignCapacity", 5_100), Map.entry("getManufacturer", "SMP"),
                Map.entry("getSerialNumber", "F5D123"), Map.entry("getChemistry", "LIon")));
        view.cycle(new OshiBatteryProbe(() -> List.of(mac)));
        String[] bat = {"power_supply", "InternalBattery-0"};
        assertEquals(80.0, view.value("node_power_supply_capacity", bat));
        assertEquals(0.0, view.value("node_power_supply_online", bat));
        assertEquals(212.0, view.value("node_power_supply_cyclecount", bat));
        assertEquals(12.5, view.value("node_power_supply_power_watt", bat));
        assertEquals(12.3, view.value("node_power_supply_voltage_volt", bat));
        assertEquals(1.016, view.value("node_power_supply_current_ampere", bat));
        assertEquals(4.0, view.value("node_power_supply_charge_ampere", bat));
        assertEquals(5.0, view.value("node_power_supply_charge_full", bat));
        assertEquals(5.1, view.value("node_power_supply_charge_full_design", bat));
        assertNull(view.value("node_power_supply_energy_watthour", bat));
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "InternalBattery-0", "type", "Battery",
                "status", "Discharging", "manufacturer", "SMP", "serial_number", "F5D123", "technology", "LIon"));
    }

    @Test
    void unknownFiguresAreLeftOutAndNoSourceIsAbsent() throws Exception {
        PowerSource bare = source(Map.of("getName", "BAT", "isPowerOnLine", true, "getRemainingCapacityPercent", 1.0,
                "getCapacityUnits", PowerSource.CapacityUnits.RELATIVE));
        view.cycle(new OshiBatteryProbe(() -> List.of(bare)));
        assertEquals(100.0, view.value("node_power_supply_capacity", "power_supply", "BAT"));
        assertNull(view.value("node_power_supply_cyclecount", "power_supply", "BAT"));
        assertNull(view.value("node_power_supply_voltage_volt", "power_supply", "BAT"));
        assertEquals(1.0, view.value("node_power_supply_info", "power_supply", "BAT", "type", "Battery", "status",
                "Full"));
        assertThrows(Probe.AbsentException.class, () -> view.cycle(new OshiBatteryProbe(List::of)));
    }
}
