package dev.odin.probes.host;

import dev.odin.series.LabelSet;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.software.os.OperatingSystem;

/**
 * What machine this is, from OSHI, read once: CPU model and counts, maker and model, operating
 * system. Exposed as {@code odin_host_info} so a dashboard can say which laptop it shows.
 */
final class HostIdentity {

    private HostIdentity() {
    }

    static LabelSet read() {
        try {
            SystemInfo si = new SystemInfo();
            CentralProcessor cpu = si.getHardware().getProcessor();
            ComputerSystem cs = si.getHardware().getComputerSystem();
            OperatingSystem os = si.getOperatingSystem();
            return LabelSet.of("cpu_model", cpu.getProcessorIdentifier().getName().trim(),
                    "cpu_cores", Integer.toString(cpu.getPhysicalProcessorCount()),
                    "cpu_threads", Integer.toString(cpu.getLogicalProcessorCount()),
                    "manufacturer", known(cs.getManufacturer()), "model", known(cs.getModel()),
                    "os", os.getFamily() + " " + os.getVersionInfo().getVersion(),
                    "kernel", os.getVersionInfo().getBuildNumber());
        } catch (RuntimeException | LinkageError e) {
            return null; // OSHI cannot identify this machine (a locked-down container): no info series
        }
    }

    private static String known(String s) {
        return s == null || s.equalsIgnoreCase("unknown") ? "" : s.trim();
    }
}
