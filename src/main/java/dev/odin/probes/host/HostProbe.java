package dev.odin.probes.host;

import dev.odin.probes.HostPlatform;
import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The host: CPU, load, memory, filesystems, disks, network, temperatures, with node_exporter's
 * names, labels and units, read from the same procfs and sysfs files node_exporter reads (so the
 * numbers agree, and the roots can point at a host's /proc and /sys mounted into a container).
 * Filesystem sizes come from statvfs(3) through JNA, which OSHI brings; what machine this is
 * (CPU model, maker, OS) comes from OSHI, once.
 */
public final class HostProbe implements Probe {

    /** The kernel's USER_HZ on every Linux architecture node_exporter supports. */
    private static final double USER_HZ = 100.0;
    private static final String[] CPU_MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

    // the defaults of node_exporter 1.5 as Debian ships it (prometheus-node-exporter)
    static final Pattern FS_MOUNT_EXCLUDE =
            Pattern.compile("^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)");
    static final Pattern FS_TYPE_EXCLUDE = Pattern.compile("^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts"
            + "|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs"
            + "|selinuxfs|squashfs|sysfs|tracefs)$");
    static final Pattern DISK_EXCLUDE = Pattern.compile("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");

    private final Path proc;
    private final Path sys;
    private final String rootfs;
    private final Clock clock;
    private final FilesystemStats statfs;
    private long bootMillis;
    private LabelSet identity;
    private boolean identified;

    public HostProbe(Path proc, Path sys, String rootfs, Clock clock, FilesystemStats statfs) {
        this.proc = proc;
        this.sys = sys;
        this.rootfs = rootfs;
        this.clock = clock;
        this.statfs = statfs;
    }

    @Override
    public String name() {
        return "host";
    }

    @Override
    public void collect(ProbeReadings r) throws Exception {
        String absent = HostPlatform.absentRoot(proc, "procfs");
        if (absent != null) {
            throw new Probe.AbsentException(absent);
        }
        // /proc/stat is the one file without which the host probe has nothing to say
        stat(r);
        r.gauge("node_time_seconds", "System time in seconds since epoch (1970).", clock.millis() / 1000.0,
                LabelSet.EMPTY);
        if (!identified) {
            identified = true;
            identity = HostIdentity.linux(proc, sys, osRelease());
        }
        if (identity != null) {
            r.info("odin_host_info", "The machine: CPU model and counts, maker, model, operating system",
                    identity);
        }
        part(r, "loadavg", () -> loadavg(r));
        part(r, "meminfo", () -> meminfo(r));
        part(r, "filesystems", () -> filesystems(r));
        part(r, "diskstats", () -> diskstats(r));
        part(r, "netdev", () -> netdev(r));
        part(r, "hwmon", () -> hwmon(r));
        part(r, "thermal", () -> thermal(r));
    }

    private interface Part {
        void read() throws IOException;
    }

    private static void part(ProbeReadings r, String what, Part p) {
        try {
            p.read();
        } catch (IOException | RuntimeException e) {
            r.error(what + ": " + e);
        }
    }

    private void stat(ProbeReadings r) throws IOException {
        String text = SysFiles.read(proc.resolve("stat"));
        String[] lines = text.split("\n");
        for (String line : lines) {
            if (line.startsWith("btime ")) {
                bootMillis = Long.parseLong(line.substring(6).trim()) * 1000;
                r.gauge("node_boot_time_seconds", "Node boot time, in unixtime.", bootMillis / 1000.0,
                        LabelSet.EMPTY);
            }
        }
        for (String line : lines) {
            String[] f = SysFiles.fields(line);
            if (f[0].startsWith("cpu") && f[0].length() > 3) {
                String cpu = f[0].substring(3);
                for (int m = 0; m < CPU_MODES.length && m + 1 < f.length; m++) {
                    r.counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                            Long.parseLong(f[m + 1]) / USER_HZ, bootMillis, LabelSet.of("cpu", cpu, "mode", CPU_MODES[m]));
                }
                if (f.length > 10) {
                    r.counter("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
                            Long.parseLong(f[9]) / USER_HZ, bootMillis, LabelSet.of("cpu", cpu, "mode", "user"));
                    r.counter("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
                            Long.parseLong(f[10]) / USER_HZ, bootMillis, LabelSet.of("cpu", cpu, "mode", "nice"));
                }
            } else if (f[0].equals("ctxt")) {
                r.counter("node_context_switches_total", "Total number of context switches.", Double.parseDouble(f[1]),
                        bootMillis, LabelSet.EMPTY);
            } else if (f[0].equals("intr")) {
                r.counter("node_intr_total", "Total number of interrupts serviced.", Double.parseDouble(f[1]),
                        bootMillis, LabelSet.EMPTY);
            } else if (f[0].equals("processes")) {
                r.counter("node_forks_total", "Total number of forks.", Double.parseDouble(f[1]), bootMillis,
                        LabelSet.EMPTY);
            } else if (f[0].equals("procs_running")) {
                r.gauge("node_procs_running", "Number of processes in runnable state.", Double.parseDouble(f[1]),
                        LabelSet.EMPTY);
            } else if (f[0].equals("procs_blocked")) {
                r.gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
                        Double.parseDouble(f[1]), LabelSet.EMPTY);
            }
        }
    }

    private void loadavg(ProbeReadings r) throws IOException {
        String[] f = SysFiles.fields(SysFiles.read(proc.resolve("loadavg")));
        r.gauge("node_load1", "1m load average.", Double.parseDouble(f[0]), LabelSet.EMPTY);
        r.gauge("node_load5", "5m load average.", Double.parseDouble(f[1]), LabelSet.EMPTY);
        r.gauge("node_load15", "15m load average.", Double.parseDouble(f[2]), LabelSet.EMPTY);
    }

    private void meminfo(ProbeReadings r) throws IOException {
        for (String line : SysFiles.read(proc.resolve("meminfo")).split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] f = SysFiles.fields(line.substring(colon + 1));
            String key = line.substring(0, colon).replace("(", "_").replace(")", "");
            double v = Double.parseDouble(f[0]);
            boolean kb = f.length > 1 && f[1].equals("kB");
            String name = "node_memory_" + key + (kb ? "_bytes" : "");
            r.gauge(name, "Memory information field " + key + (kb ? "_bytes." : "."), kb ? v * 1024 : v,
                    LabelSet.EMPTY);
        }
    }

    private void filesystems(ProbeReadings r) throws IOException {
        Path mounts = proc.resolve("1/mounts");
        if (!Files.isReadable(mounts)) {
            mounts = proc.resolve("mounts");
        }
        // the last mount on a mount point is the one that is visible there
        Map<String, String[]> byMountPoint = new LinkedHashMap<>();
        for (String line : SysFiles.read(mounts).split("\n")) {
            String[] f = SysFiles.fields(line);
            if (f.length < 4) {
                continue;
            }
            String mountPoint = SysFiles.unescapeOctal(f[1]);
            if (FS_MOUNT_EXCLUDE.matcher(mountPoint).find() || FS_TYPE_EXCLUDE.matcher(f[2]).matches()) {
                continue;
            }
            byMountPoint.remove(mountPoint);
            byMountPoint.put(mountPoint, f);
        }
        for (Map.Entry<String, String[]> e : byMountPoint.entrySet()) {
            String mountPoint = e.getKey();
            String[] f = e.getValue();
            LabelSet labels = LabelSet.of("device", SysFiles.unescapeOctal(f[0]), "fstype", f[2], "mountpoint",
                    mountPoint);
            FilesystemStats.Stats s = statfs.stat(rootfs.equals("/") ? mountPoint : rootfs + mountPoint);
            if (s == null) {
                r.gauge("node_filesystem_device_error",
                        "Whether an error occurred while getting statistics for the given device.", 1, labels);
                continue;
            }
            r.gauge("node_filesystem_device_error",
                    "Whether an error occurred while getting statistics for the given device.", 0, labels);
            r.gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", s.sizeBytes(), labels);
            r.gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", s.freeBytes(), labels);
            r.gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
                    s.availBytes(), labels);
            r.gauge("node_filesystem_files", "Filesystem total file nodes.", s.files(), labels);
            r.gauge("node_filesystem_files_free", "Filesystem total free file nodes.", s.filesFree(), labels);
            boolean ro = false;
            for (String opt : f[3].split(",")) {
                ro |= opt.equals("ro");
            }
            r.gauge("node_filesystem_readonly", "Filesystem read-only status.", ro ? 1 : 0, labels);
        }
    }

    private void diskstats(ProbeReadings r) throws IOException {
        for (String line : SysFiles.read(proc.resolve("diskstats")).split("\n")) {
            String[] f = SysFiles.fields(line);
            if (f.length < 14 || DISK_EXCLUDE.matcher(f[2]).matches()) {
                continue;
            }
            LabelSet d = LabelSet.of("device", f[2]);
            disk(r, "reads_completed_total", "The total number of reads completed successfully.", f[3], 1, d);
            disk(r, "reads_merged_total", "The total number of reads merged.", f[4], 1, d);
            disk(r, "read_bytes_total", "The total number of bytes read successfully.", f[5], 512, d);
            disk(r, "read_time_seconds_total", "The total number of seconds spent by all reads.", f[6], 0.001, d);
            disk(r, "writes_completed_total", "The total number of writes completed successfully.", f[7], 1, d);
            disk(r, "writes_merged_total", "The number of writes merged.", f[8], 1, d);
            disk(r, "written_bytes_total", "The total number of bytes written successfully.", f[9], 512, d);
            disk(r, "write_time_seconds_total", "This is the total number of seconds spent by all writes.", f[10],
                    0.001, d);
            r.gauge("node_disk_io_now", "The number of I/Os currently in progress.", Double.parseDouble(f[11]), d);
            disk(r, "io_time_seconds_total", "Total seconds spent doing I/Os.", f[12], 0.001, d);
            disk(r, "io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", f[13], 0.001, d);
        }
    }

    private void disk(ProbeReadings r, String suffix, String help, String raw, double scale, LabelSet labels) {
        r.counter("node_disk_" + suffix, help, Double.parseDouble(raw) * scale, bootMillis, labels);
    }

    private static final String[] RECEIVE = {"bytes", "packets", "errs", "drop", "fifo", "frame", "compressed",
        "multicast"};
    private static final String[] TRANSMIT = {"bytes", "packets", "errs", "drop", "fifo", "colls", "carrier",
        "compressed"};

    private void netdev(ProbeReadings r) throws IOException {
        for (String line : SysFiles.read(proc.resolve("net/dev")).split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String device = line.substring(0, colon).trim();
            if (device.equals("lo")) {
                continue;
            }
            String[] f = SysFiles.fields(line.substring(colon + 1));
            if (f.length < 16) {
                continue;
            }
            LabelSet d = LabelSet.of("device", device);
            for (int i = 0; i < 8; i++) {
                r.counter("node_network_receive_" + RECEIVE[i] + "_total",
                        "Network device statistic receive_" + RECEIVE[i] + ".", Double.parseDouble(f[i]), bootMillis, d);
                r.counter("node_network_transmit_" + TRANSMIT[i] + "_total",
                        "Network device statistic transmit_" + TRANSMIT[i] + ".", Double.parseDouble(f[8 + i]),
                        bootMillis, d);
            }
        }
    }

    private void hwmon(ProbeReadings r) throws IOException {
        Path dir = sys.resolve("class/hwmon");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> chips = Files.newDirectoryStream(dir, "hwmon*")) {
            for (Path chipDir : chips) {
                String chip = chipName(chipDir);
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(chipDir, "temp*_input")) {
                    for (Path t : temps) {
                        Long milli = SysFiles.readLong(t);
                        if (milli == null) {
                            continue;
                        }
                        String file = t.getFileName().toString();
                        String sensor = file.substring(0, file.length() - "_input".length());
                        r.gauge("node_hwmon_temp_celsius", "Hardware monitor for temperature (input)", milli / 1000.0,
                                LabelSet.of("chip", chip, "sensor", sensor));
                    }
                }
            }
        }
    }

    /** node_exporter's chip label: the device's sysfs path below devices/, or the chip's name. */
    private String chipName(Path chipDir) throws IOException {
        Path device = chipDir.resolve("device");
        if (Files.exists(device)) {
            Path real = device.toRealPath();
            Path devices = sys.resolve("devices").toRealPath();
            if (real.startsWith(devices)) {
                return devices.relativize(real).toString().replaceAll("[^a-zA-Z0-9]", "_");
            }
        }
        String name = SysFiles.readLine(chipDir.resolve("name"));
        return name != null ? name.replaceAll("[^a-zA-Z0-9]", "_") : chipDir.getFileName().toString();
    }

    private void thermal(ProbeReadings r) throws IOException {
        Path dir = sys.resolve("class/thermal");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> zones = Files.newDirectoryStream(dir, "thermal_zone*")) {
            for (Path z : zones) {
                Long milli = SysFiles.readLong(z.resolve("temp"));
                String type = SysFiles.readLine(z.resolve("type"));
                if (milli == null || type == null) {
                    continue;
                }
                String zone = z.getFileName().toString().substring("thermal_zone".length());
                r.gauge("node_thermal_zone_temp", "Zone temperature in Celsius", milli / 1000.0,
                        LabelSet.of("type", type, "zone", zone));
            }
        }
    }

    /** The os-release file: /etc's, else the vendor's (os-release(5)). */
    private static Path osRelease() {
        Path etc = Path.of("/etc/os-release");
        return Files.exists(etc) ? etc : Path.of("/usr/lib/os-release");
    }
}
