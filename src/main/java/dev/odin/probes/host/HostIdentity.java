package dev.odin.probes.host;

import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.software.os.OperatingSystem;

/**
 * What machine this is, read once: CPU model and counts, maker and model, operating system.
 * Exposed as {@code odin_host_info} so a dashboard can say which laptop it shows.
 *
 * <p>On Linux it is read from procfs, sysfs and os-release ({@link #fromProcfs}), the files OSHI
 * reads for the same answers: asking OSHI would load JNA, libudev and a few hundred classes that
 * the procfs probes otherwise never need (several MB of an idle ODIN's memory). Elsewhere
 * {@link #read()} asks OSHI.
 */
final class HostIdentity {

    private HostIdentity() {
    }

    /** From OSHI (the hosts without procfs); null when OSHI cannot identify this machine. */
    static LabelSet read() {
        try {
            SystemInfo si = new SystemInfo();
            CentralProcessor cpu = si.getHardware().getProcessor();
            ComputerSystem cs = si.getHardware().getComputerSystem();
            OperatingSystem os = si.getOperatingSystem();
            return labels(cpu.getProcessorIdentifier().getName(), cpu.getPhysicalProcessorCount(),
                    cpu.getLogicalProcessorCount(), cs.getManufacturer(), cs.getModel(),
                    os.getFamily() + " " + os.getVersionInfo().getVersion(), os.getVersionInfo().getBuildNumber());
        } catch (RuntimeException | LinkageError e) {
            return null; // OSHI cannot identify this machine (a locked-down container): no info series
        }
    }

    /**
     * A Linux host: from its files ({@link #fromProcfs}) when they name the CPU model and count;
     * else (arm64's cpuinfo has no model name, only implementer and part numbers, which OSHI
     * decodes; s390x numbers its processor lines differently) from OSHI, as before.
     */
    static LabelSet linux(Path proc, Path sys, Path osRelease) {
        LabelSet files = fromProcfs(proc, sys, osRelease);
        if (files != null && files.get("cpu_model") != null && !"0".equals(files.get("cpu_threads"))) {
            return files;
        }
        LabelSet oshi = read();
        return oshi != null ? oshi : files;
    }

    /**
     * From a Linux host's files: {@code <proc>/cpuinfo} (model, logical CPUs, and physical cores as
     * distinct physical id / core id pairs, else sysfs topology), {@code <sys>/devices/virtual/dmi/id}
     * (maker, product and version, as OSHI joins them), {@code osRelease} (NAME and VERSION_ID) and
     * {@code <proc>/sys/kernel/osrelease}. Null when cpuinfo cannot be read.
     */
    static LabelSet fromProcfs(Path proc, Path sys, Path osRelease) {
        List<String> cpuinfo;
        try {
            cpuinfo = lines(proc.resolve("cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String model = "";
        int logical = 0;
        Set<String> cores = new HashSet<>();
        String physicalId = "0";
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "processor" -> logical++;
                case "physical id" -> physicalId = value;
                case "core id" -> cores.add(physicalId + "/" + value);
                // x86 names the model "model name"; arm64 and older arm "Processor" or "Hardware"
                case "model name", "Processor", "Hardware", "cpu model" -> {
                    if (model.isEmpty()) {
                        model = value;
                    }
                }
                default -> { }
            }
        }
        if (cores.isEmpty()) {
            cores = topologyCores(sys, logical);
        }
        Path dmi = sys.resolve("devices/virtual/dmi/id");
        String product = firstLine(dmi.resolve("product_name"));
        String version = firstLine(dmi.resolve("product_version"));
        String machine = product.isEmpty() ? version
                : version.isEmpty() || version.equals("None") ? product : product + " (version: " + version + ")";
        String name = "Linux";
        String versionId = "";
        try {
            for (String line : lines(osRelease)) {
                if (line.startsWith("NAME=")) {
                    name = unquote(line.substring(5));
                } else if (line.startsWith("VERSION_ID=")) {
                    versionId = unquote(line.substring(11));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no os-release (a minimal image): the family alone
        }
        return labels(model, cores.isEmpty() ? logical : cores.size(), logical, firstLine(dmi.resolve("sys_vendor")),
                machine, versionId.isEmpty() ? name : name + " " + versionId,
                firstLine(proc.resolve("sys/kernel/osrelease")));
    }

    /** Physical cores from {@code <sys>/devices/system/cpu/cpuN/topology}, for cpuinfo without core ids. */
    private static Set<String> topologyCores(Path sys, int logical) {
        Set<String> cores = new HashSet<>();
        for (int i = 0; i < logical; i++) {
            Path topology = sys.resolve("devices/system/cpu/cpu" + i + "/topology");
            String core = firstLine(topology.resolve("core_id"));
            if (!core.isEmpty()) {
                cores.add(firstLine(topology.resolve("physical_package_id")) + "/" + core);
            }
        }
        return cores;
    }

    private static LabelSet labels(String model, int cores, int threads, String manufacturer, String machine,
            String os, String kernel) {
        return LabelSet.of("cpu_model", model.trim(), "cpu_cores", Integer.toString(cores),
                "cpu_threads", Integer.toString(threads), "manufacturer", known(manufacturer),
                "model", known(machine), "os", os, "kernel", kernel == null ? "" : kernel.trim());
    }

    private static String firstLine(Path p) {
        try {
            List<String> lines = lines(p);
            return lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException | RuntimeException e) {
            return ""; // not readable (no DMI in a VM, sysfs not mounted): unknown
        }
    }

    /** The file's lines, as {@link SysFiles#readUtf8} reads them. */
    private static List<String> lines(Path p) throws IOException {
        return SysFiles.readUtf8(p).lines().toList();
    }

    private static String unquote(String s) {
        String v = s.strip();
        return v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1))
                ? v.substring(1, v.length() - 1) : v;
    }

    private static String known(String s) {
        return s == null || s.equalsIgnoreCase("unknown") ? "" : s.trim();
    }
}
