package dev.odin.probes.gpu;

import dev.odin.probes.ProbeReadings;
import dev.odin.series.LabelSet;

/** One GPU's line of nvidia-smi output, written as nvidia_gpu_exporter's series. */
final class GpuReading {

    private static final double MIB = 1024.0 * 1024.0;
    /** Marks a percentage: divided by 100 (11 / 100 is 0.11; 11 * 0.01 is not). */
    private static final double PERCENT = -100;

    private final String[] v;
    private final String name;

    GpuReading(String[] fields, String name) {
        this.v = fields;
        this.name = name;
    }

    String uuid() {
        String u = GpuCsv.value(v[GpuCsv.UUID]);
        if (u == null) {
            return "";
        }
        return u.startsWith("GPU-") ? u.substring(4) : u;
    }

    void write(ProbeReadings r) {
        String uuid = uuid();
        LabelSet l = LabelSet.of("uuid", uuid);
        r.info("nvidia_smi_gpu_info", "A metric with a constant '1' value labeled by gpu uuid, name, driver_version.",
                LabelSet.of("uuid", uuid, "name", name, "driver_version", text(GpuCsv.DRIVER), "pci_bus_id",
                        text(GpuCsv.PCI_BUS), "index", text(GpuCsv.INDEX)));
        gauge(r, "nvidia_smi_temperature_gpu", "temperature.gpu", GpuCsv.TEMPERATURE, 1, l);
        gauge(r, "nvidia_smi_power_draw_watts", "power.draw [W]", GpuCsv.POWER_DRAW, 1, l);
        gauge(r, "nvidia_smi_power_limit_watts", "power.limit [W]", GpuCsv.POWER_LIMIT, 1, l);
        gauge(r, "nvidia_smi_utilization_gpu_ratio", "utilization.gpu [%]", GpuCsv.UTIL_GPU, PERCENT, l);
        gauge(r, "nvidia_smi_utilization_memory_ratio", "utilization.memory [%]", GpuCsv.UTIL_MEMORY, PERCENT, l);
        gauge(r, "nvidia_smi_memory_total_bytes", "memory.total [MiB]", GpuCsv.MEMORY_TOTAL, MIB, l);
        gauge(r, "nvidia_smi_memory_used_bytes", "memory.used [MiB]", GpuCsv.MEMORY_USED, MIB, l);
        gauge(r, "nvidia_smi_memory_free_bytes", "memory.free [MiB]", GpuCsv.MEMORY_FREE, MIB, l);
        gauge(r, "nvidia_smi_fan_speed_ratio", "fan.speed [%]", GpuCsv.FAN, PERCENT, l);
        gauge(r, "nvidia_smi_clocks_current_graphics_clock_hz", "clocks.current.graphics [MHz]", GpuCsv.CLOCK_GRAPHICS,
                1e6, l);
        gauge(r, "nvidia_smi_clocks_current_sm_clock_hz", "clocks.current.sm [MHz]", GpuCsv.CLOCK_SM, 1e6, l);
        gauge(r, "nvidia_smi_clocks_current_memory_clock_hz", "clocks.current.memory [MHz]", GpuCsv.CLOCK_MEMORY, 1e6,
                l);
        String pstate = GpuCsv.value(v[GpuCsv.PSTATE]);
        if (pstate != null && pstate.length() > 1 && (pstate.charAt(0) == 'P' || pstate.charAt(0) == 'p')) {
            try {
                r.gauge("nvidia_smi_pstate", "pstate", Integer.parseInt(pstate.substring(1)), l);
            } catch (NumberFormatException e) {
                // not a P-state number: no series
            }
        }
        Double mask = GpuCsv.number(v[GpuCsv.REASONS_ACTIVE]);
        if (mask != null) {
            r.gauge("nvidia_smi_clocks_event_reasons_active", "clocks_event_reasons.active (bitmask)", mask, l);
        }
        for (int i = 0; i < GpuCsv.REASONS.length; i++) {
            Double on = GpuCsv.active(v[GpuCsv.FIRST_REASON + i]);
            if (on == null && mask != null) {
                on = (mask.longValue() & GpuCsv.REASON_BITS[i]) != 0 ? 1.0 : 0.0;
            }
            if (on != null) {
                r.gauge("nvidia_smi_clocks_event_reasons_" + GpuCsv.REASONS[i],
                        "clocks_event_reasons." + GpuCsv.REASONS[i], on, l);
            }
        }
    }

    private String text(int i) {
        String s = GpuCsv.value(v[i]);
        return s == null ? "" : s;
    }

    private void gauge(ProbeReadings r, String metric, String help, int field, double scale, LabelSet l) {
        Double d = GpuCsv.number(v[field]);
        if (d != null) {
            r.gauge(metric, help, scale == PERCENT ? d / 100 : d * scale, l);
        }
    }
}
