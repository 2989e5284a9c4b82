package dev.odin.probes.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.health.ComponentHealth;
import dev.odin.health.ComponentStatus;
import dev.odin.probes.Probe;
import dev.odin.probes.ProbeRunner;
import dev.odin.probes.StoreView;
import dev.odin.testing.Exposition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU probe against nvidia-smi stand-ins built from real captures. */
class GpuProbeTest {

    static final Path NVIDIA = dev.odin.testing.Fixtures.DIR.resolve("nvidia");
    static final String ZERO_UUID = "00000000-0000-0000-0000-000000000000";

    @TempDir
    Path dir;

    private final StoreView view = new StoreView();

    private GpuProbe probe(Path script) {
        return new GpuProbe(script.toString(), Duration.ofSeconds(10));
    }

    private Path fromCapture(String capture, String section, boolean oldDriver, Map<String, String> changes)
            throws Exception {
        Map<String, String> row = FakeNvidiaSmi.capture(NVIDIA.resolve(capture), section);
        row.putAll(changes);
        if (oldDriver) {
            Map<String, String> renamed = new java.util.LinkedHashMap<>();
            row.forEach((k, v) -> renamed.put(k.replace("clocks_event_reasons", "clocks_throttle_reasons"), v));
            row = renamed;
        }
        return FakeNvidiaSmi.script(dir, oldDriver, FakeNvidiaSmi.answer(row, GpuCsv.fields(oldDriver)) + "\n", 0);
    }

    @Test
    void h100UnderLoadGivesWhatNvidiaGpuExporterGaveForTheSameCapture() throws Exception {
        view.cycle(probe(fromCapture("h100-load.nvidia-smi.txt", "load", false, Map.of())));
        Exposition exporter = new Exposition(Files.readString(NVIDIA.resolve("h100-load.exporter-metrics.txt")));
        String[] shared = {"nvidia_smi_temperature_gpu", "nvidia_smi_power_draw_watts", "nvidia_smi_power_limit_watts",
            "nvidia_smi_utilization_gpu_ratio", "nvidia_smi_utilization_memory_ratio", "nvidia_smi_memory_total_bytes",
            "nvidia_smi_memory_used_bytes", "nvidia_smi_memory_free_bytes", "nvidia_smi_pstate",
            "nvidia_smi_clocks_current_graphics_clock_hz", "nvidia_smi_clocks_current_sm_clock_hz",
            "nvidia_smi_clocks_current_memory_clock_hz", "nvidia_smi_clocks_event_reasons_hw_thermal_slowdown",
            "nvidia_smi_clocks_event_reasons_sw_thermal_slowdown", "nvidia_smi_clocks_event_reasons_hw_slowdown",
            "nvidia_smi_clocks_event_reasons_sw_power_cap", "nvidia_smi_clocks_event_reasons_hw_power_brake_slowdown"};
        for (String metric : shared) {
            Double expected = exporter.value(metric + "{uuid=\"" + ZERO_UUID + "\"}");
            assertNotNull(expected, metric + " in the exporter's output");
            assertEquals(expected, view.value(metric, "uuid", ZERO_UUID), metric);
        }
        assertEquals(631.95, view.value("nvidia_smi_power_draw_watts", "uuid", ZERO_UUID));
        assertEquals(0.11, view.value("nvidia_smi_utilization_memory_ratio", "uuid", ZERO_UUID));
        assertEquals(81559 * 1048576.0, view.value("nvidia_smi_memory_total_bytes", "uuid", ZERO_UUID));
        assertEquals(1.98e9, view.value("nvidia_smi_clocks_current_sm_clock_hz", "uuid", ZERO_UUID));
        // the H100 has no fan: [N/A] is no series, not a zero
        assertNull(view.value("nvidia_smi_fan_speed_ratio", "uuid", ZERO_UUID));
        assertEquals(1.0, view.value("nvidia_smi_gpu_info", "uuid", ZERO_UUID, "name", "NVIDIA H100 80GB HBM3",
                "driver_version", "590.48.01", "pci_bus_id", "00000000:00:09.0", "index", "0"));
        assertEquals(1.0, view.value("nvidia_smi_last_collect_success"));
        assertTrue(view.value("nvidia_smi_last_collect_duration_seconds") > 0);
        assertTrue(view.value("nvidia_smi_last_collect_success_timestamp_seconds") > 1.7e9);
    }

    @Test
    void rtx4080SuperWithItsFanAndCommaInTheName() throws Exception {
        Map<String, String> row = FakeNvidiaSmi.capture(NVIDIA.resolve("rtx4080super.nvidia-smi.txt"), "load");
        view.cycle(probe(fromCapture("rtx4080super.nvidia-smi.txt", "load", false,
                Map.of("name", "NVIDIA GeForce RTX 4080 SUPER, Founders, Edition"))));
        double fan = Double.parseDouble(row.get("fan.speed").replace(" %", ""));
        assertEquals(fan / 100, view.value("nvidia_smi_fan_speed_ratio", "uuid", ZERO_UUID));
        double draw = Double.parseDouble(row.get("power.draw").replace(" W", ""));
        assertEquals(draw, view.value("nvidia_smi_power_draw_watts", "uuid", ZERO_UUID));
        assertEquals(1.0, view.value("nvidia_smi_gpu_info", "uuid", ZERO_UUID, "name",
                "NVIDIA GeForce RTX 4080 SUPER, Founders, Edition", "driver_version", "595.71.05", "pci_bus_id",
                "00000000:01:00.0", "index", "0"));
        assertEquals(Double.parseDouble(row.get("temperature.gpu")),
                view.value("nvidia_smi_temperature_gpu", "uuid", ZERO_UUID));
    }

    @Test
    void laptopWithoutPowerLimitOrFanReportsTheRest() throws Exception {
        view.cycle(probe(fromCapture("rtx4080super.nvidia-smi.txt", "load", false,
                Map.of("power.limit", "[N/A]", "fan.speed", "[Not Supported]", "power.draw", "N/A"))));
        assertNull(view.value("nvidia_smi_power_limit_watts", "uuid", ZERO_UUID));
        assertNull(view.value("nvidia_smi_fan_speed_ratio", "uuid", ZERO_UUID));
        assertNull(view.value("nvidia_smi_power_draw_watts", "uuid", ZERO_UUID));
        assertTrue(view.value("nvidia_smi_memory_total_bytes", "uuid", ZERO_UUID) > 0);
    }

    @Test
    void thermallyThrottledGpuShowsItsReasons() throws Exception {
        view.cycle(probe(fromCapture("h100-load.nvidia-smi.txt", "load", false,
                Map.of("clocks_event_reasons.active", "0x0000000000000060",
                        "clocks_event_reasons.hw_thermal_slowdown", "Active",
                        "clocks_event_reasons.sw_thermal_slowdown", "Active",
                        "temperature.gpu", "92"))));
        assertEquals(1.0, view.value("nvidia_smi_clocks_event_reasons_hw_thermal_slowdown", "uuid", ZERO_UUID));
        assertEquals(1.0, view.value("nvidia_smi_clocks_event_reasons_sw_thermal_slowdown", "uuid", ZERO_UUID));
        assertEquals(0.0, view.value("nvidia_smi_clocks_event_reasons_sw_power_cap", "uuid", ZERO_UUID));
        assertEquals(96.0, view.value("nvidia_smi_clocks_event_reasons_active", "uuid", ZERO_UUID));
        assertEquals(92.0, view.value("nvidia_smi_temperature_gpu", "uuid", ZERO_UUID));
    }

    @Test
    void reasonsComeFromTheBitmaskWhenTheirOwnFieldsHaveNoValue() throws Exception {
        view.cycle(probe(fromCapture("h100-load.nvidia-smi.txt", "load", false,
                Map.of("clocks_event_reasons.active", "0x0000000000000084",
                        "clocks_event_reasons.hw_power_brake_slowdown", "[N/A]",
                        "clocks_event_reasons.sw_power_cap", "[Not Supported]"))));
        assertEquals(1.0, view.value("nvidia_smi_clocks_event_reasons_hw_power_brake_slowdown", "uuid", ZERO_UUID));
        assertEquals(1.0, view.value("nvidia_smi_clocks_event_reasons_sw_power_cap", "uuid", ZERO_UUID));
    }

    @Test
    void oldDriverKnowsOnlyThrottleReasonsAndIsAskedSoFromThenOn() throws Exception {
        Path script = fromCapture("h100-load.nvidia-smi.txt", "load", true,
                Map.of("clocks_event_reasons.hw_slowdown", "Active"));
        GpuProbe probe = probe(script);
        view.cycle(probe);
        assertEquals(1.0, view.value("nvidia_smi_clocks_event_reasons_hw_slowdown", "uuid", ZERO_UUID));
        assertEquals(59.0, view.value("nvidia_smi_temperature_gpu", "uuid", ZERO_UUID));
        view.cycle(probe);
        assertEquals(1.0, view.value("nvidia_smi_last_collect_success"));
    }

    @Test
    void missingDriverIsAbsentNotAFailure() throws Exception {
        Path script = FakeNvidiaSmi.failing(dir, "NVIDIA-SMI has failed because it couldn't communicate with the"
                + " NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.", 9);
        ComponentHealth health = runOnce(probe(script));
        assertEquals(ComponentStatus.ABSENT, health.status());
        assertNull(view.value("nvidia_smi_last_collect_success"));
        assertEquals(1.0, view.value("odin_probe_success", "probe", "gpu"));
    }

    @Test
    void missingBinaryIsAbsentNotAFailure() throws Exception {
        ComponentHealth health = runOnce(probe(dir.resolve("no-such-nvidia-smi")));
        assertEquals(ComponentStatus.ABSENT, health.status());
        assertTrue(health.health().getDetails().get("reason").toString().contains("no nvidia-smi"));
    }

    @Test
    void brokenNvidiaSmiIsAFailureWithItsMessage() throws Exception {
        Path script = FakeNvidiaSmi.failing(dir, "Unable to determine the device handle for GPU0000:01:00.0: Unknown"
                + " Error", 15);
        ComponentHealth health = runOnce(probe(script));
        assertEquals(ComponentStatus.DEGRADED, health.status());
        assertTrue(health.errors().get(0).message().contains("exited with 15: Unable to determine"));
        assertEquals(0.0, view.value("odin_probe_success", "probe", "gpu"));
    }

    @Test
    void garbledOutputIsAFailureNotACrash() throws Exception {
        Path script = FakeNvidiaSmi.script(dir, false, "0, GPU-1, 550.1\n", 0);
        assertThrows(java.io.IOException.class, () -> view.cycle(probe(script)));
    }

    @Test
    void twoGpusAreTwoSetsOfSeries() throws Exception {
        Map<String, String> row = FakeNvidiaSmi.capture(NVIDIA.resolve("h100-load.nvidia-smi.txt"), "load");
        String first = FakeNvidiaSmi.answer(row, GpuCsv.fields(false));
        row.put("index", "1");
        row.put("uuid", "GPU-11111111-0000-0000-0000-000000000000");
        row.put("temperature.gpu", "61");
        String second = FakeNvidiaSmi.answer(row, GpuCsv.fields(false));
        view.cycle(probe(FakeNvidiaSmi.script(dir, false, first + "\n" + second + "\n", 0)));
        assertEquals(59.0, view.value("nvidia_smi_temperature_gpu", "uuid", ZERO_UUID));
        assertEquals(61.0, view.value("nvidia_smi_temperature_gpu", "uuid", "11111111-0000-0000-0000-000000000000"));
    }

    private ComponentHealth runOnce(Probe probe) {
        ComponentHealth health = new ComponentHealth(probe.name());
        new ProbeRunner(probe, view.readings, health, Clock.systemUTC()).runCycle();
        return health;
    }
}
