package dev.odin.probes.gpu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The query ODIN sends to nvidia-smi and the parsing of its answer, by the rules of
 * nvidia_gpu_exporter: fields separated by ", "; {@code [N/A]}, {@code [Not Supported]} and
 * {@code N/A} mean no value; Active/Not Active are 1/0; units (if nvidia-smi printed them) are
 * dropped; the name, which may itself hold ", ", is queried last so it takes what is left.
 */
final class GpuCsv {

    static final String[] REASONS = {"hw_thermal_slowdown", "sw_thermal_slowdown", "hw_slowdown", "sw_power_cap",
        "hw_power_brake_slowdown"};
    /** Bits of clocks_event_reasons.active, in the order of REASONS. */
    static final long[] REASON_BITS = {0x40, 0x20, 0x8, 0x4, 0x80};

    static final int INDEX = 0;
    static final int UUID = 1;
    static final int DRIVER = 2;
    static final int PCI_BUS = 3;
    static final int TEMPERATURE = 4;
    static final int POWER_DRAW = 5;
    static final int POWER_LIMIT = 6;
    static final int UTIL_GPU = 7;
    static final int UTIL_MEMORY = 8;
    static final int MEMORY_TOTAL = 9;
    static final int MEMORY_USED = 10;
    static final int MEMORY_FREE = 11;
    static final int FAN = 12;
    static final int PSTATE = 13;
    static final int CLOCK_GRAPHICS = 14;
    static final int CLOCK_SM = 15;
    static final int CLOCK_MEMORY = 16;
    static final int REASONS_ACTIVE = 17;
    static final int FIRST_REASON = 18;
    static final int NAME = FIRST_REASON + REASONS.length;

    private GpuCsv() {
    }

    static List<String> fields(boolean oldSpelling) {
        String reasons = oldSpelling ? "clocks_throttle_reasons." : "clocks_event_reasons.";
        List<String> f = new ArrayList<>(List.of("index", "uuid", "driver_version", "pci.bus_id", "temperature.gpu",
                "power.draw", "power.limit", "utilization.gpu", "utilization.memory", "memory.total", "memory.used",
                "memory.free", "fan.speed", "pstate", "clocks.current.graphics", "clocks.current.sm",
                "clocks.current.memory", reasons + "active"));
        for (String r : REASONS) {
            f.add(reasons + r);
        }
        f.add("name");
        return f;
    }

    /** nvidia-smi's answer when a field is unknown to this driver. */
    static boolean unknownField(String output) {
        return output.contains("is not a valid field to query");
    }

    static List<GpuReading> parse(String output, boolean oldSpelling) throws IOException {
        List<GpuReading> gpus = new ArrayList<>();
        for (String line : output.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] v = line.split(", ", -1);
            if (v.length < NAME + 1) {
                throw new IOException("nvidia-smi answered " + v.length + " fields, not " + (NAME + 1) + ": " + line);
            }
            String name = String.join(", ", java.util.Arrays.copyOfRange(v, NAME, v.length)).trim();
            gpus.add(new GpuReading(v, name));
        }
        return gpus;
    }

    /** @return the number in a field, or null for "no value" ([N/A], [Not Supported], N/A, empty) */
    static Double number(String raw) {
        String s = value(raw);
        if (s == null) {
            return null;
        }
        // a csv without nounits carries the unit after a space: "69.85 W", "81559 MiB", "0 %"
        int space = s.indexOf(' ');
        if (space > 0) {
            s = s.substring(0, space);
        }
        if (s.startsWith("0x") || s.startsWith("0X")) {
            return (double) Long.parseUnsignedLong(s.substring(2), 16);
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return 1 for Active, 0 for Not Active, null for no value */
    static Double active(String raw) {
        String s = value(raw);
        if (s == null) {
            return null;
        }
        if (s.equalsIgnoreCase("Active")) {
            return 1.0;
        }
        if (s.equalsIgnoreCase("Not Active")) {
            return 0.0;
        }
        return number(s);
    }

    /** @return the trimmed text, or null for "no value" */
    static String value(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.trim();
        if (s.isEmpty() || s.equals("N/A") || (s.startsWith("[") && s.endsWith("]"))) {
            return null;
        }
        return s;
    }
}
