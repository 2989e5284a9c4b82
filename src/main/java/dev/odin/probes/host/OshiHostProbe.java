package dev.odin.probes.host;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.series.LabelSet;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.VirtualMemory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * The host probe where there is no procfs (macOS, Windows, the BSDs), or where it is forced with
 * {@code odin.probes.source=oshi}: OSHI's cross-platform readings written under the same
 * node_exporter names, labels and units as {@link HostProbe} writes on Linux, so one dashboard
 * serves every platform. What OSHI has no reading for (guest CPU, forks, runnable and blocked
 * processes, merged and timed disk I/O, the full meminfo, temperatures) is left out, never
 * written as 0; docs/probes.md lists what each platform gets.
 */
public final class OshiHostProbe implements Probe {

    /** OSHI's TickType order; each platform has only some of them (node_exporter's modes there). */
    private static final String[] CPU_MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    /** The indexes into CPU_MODES this operating system counts; OSHI writes 0 for the others. */
    private static final int[] MODES = modes(System.getProperty("os.name", ""));

    static int[] modes(String osName) {
        if (osName.startsWith("Mac")) {
            return new int[] {0, 1, 2, 3}; // user nice system idle, as node_exporter on darwin
        }
        if (osName.startsWith("Windows")) {
            return new int[] {0, 2, 3, 5, 6}; // user system idle, interrupts and DPCs
        }
        return new int[] {0, 1, 2, 3, 4, 5, 6, 7};
    }
    /** What OSHI's CPU ticks count per second here; 0 where the unit is unknown (no CPU series then). */
    private static final double TICKS_PER_SECOND = ticksPerSecond(System.getProperty("os.name", ""));

    /**
     * OSHI's ticks are milliseconds on Linux (it scales jiffies) and Windows (it scales 100 ns
     * units), but the raw Mach cpu_ticks on macOS, which count at CLK_TCK (100 a second, as
     * node_exporter's darwin collector divides), and the raw kern.cp_times on the BSDs, which
     * count at the kernel's stathz (127 or 128 on FreeBSD, read nowhere OSHI exposes): there
     * node_cpu_seconds_total is left out rather than written in the wrong unit.
     */
    static double ticksPerSecond(String osName) {
        if (osName.startsWith("Linux") || osName.startsWith("Windows")) {
            return 1000;
        }
        if (osName.startsWith("Mac")) {
            return 100;
        }
        return 0;
    }

    /** Loopback interfaces: lo on Linux, lo0 on macOS and the BSDs, "Loopback ..." on Windows. */
    private static final java.util.regex.Pattern LOOPBACK = java.util.regex.Pattern.compile("^(lo\\d*|Loopback.*)$");

    private final Clock clock;
    private SystemInfo si;
    private HardwareAbstractionLayer hal;
    private OperatingSystem os;
    private String unsupported;
    private LabelSet identity;
    private boolean identified;

    public OshiHostProbe(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "host";
    }

    @Override
    public void collect(ProbeReadings r) throws Exception {
        if (!open()) {
            throw new Probe.AbsentException(unsupported);
        }
        CentralProcessor cpu = hal.getProcessor();
        long bootSeconds = os.getSystemBootTime();
        long bootMillis = bootSeconds * 1000;
        if (bootSeconds > 0) {
            r.gauge("node_boot_time_seconds", "Node boot time, in unixtime.", bootSeconds, LabelSet.EMPTY);
        }
        // ticks in the order of CPU_MODES (OSHI's TickType), TICKS_PER_SECOND a second
        long[][] ticks = TICKS_PER_SECOND > 0 ? cpu.getProcessorCpuLoadTicks() : new long[0][];
        for (int c = 0; c < ticks.length; c++) {
            for (int m : MODES) {
                if (m >= ticks[c].length) {
                    continue;
                }
                r.counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", ticks[c][m] / TICKS_PER_SECOND,
                        bootMillis, LabelSet.of("cpu", Integer.toString(c), "mode", CPU_MODES[m]));
            }
        }
        r.gauge("node_time_seconds", "System time in seconds since epoch (1970).", clock.millis() / 1000.0,
                LabelSet.EMPTY);
        if (!identified) {
            identified = true;
            identity = HostIdentity.read();
        }
        if (identity != null) {
            r.info("odin_host_info", "The machine: CPU model and counts, maker, model, operating system",
                    identity);
        }
        part(r, "cpu counters", () -> {
            long ctxt = cpu.getContextSwitches();
            if (ctxt > 0) {
                r.counter("node_context_switches_total", "Total number of context switches.", ctxt, bootMillis,
                        LabelSet.EMPTY);
            }
            long intr = cpu.getInterrupts();
            if (intr > 0) {
                r.counter("node_intr_total", "Total number of interrupts serviced.", intr, bootMillis, LabelSet.EMPTY);
            }
        });
        part(r, "loadavg", () -> {
            double[] load = cpu.getSystemLoadAverage(3);
            // negative where the OS has no load average (Windows)
            if (load.length == 3 && load[0] >= 0) {
                r.gauge("node_load1", "1m load average.", load[0], LabelSet.EMPTY);
                r.gauge("node_load5", "5m load average.", load[1], LabelSet.EMPTY);
                r.gauge("node_load15", "15m load average.", load[2], LabelSet.EMPTY);
            }
        });
        part(r, "memory", () -> memory(r));
        part(r, "filesystems", () -> filesystems(r));
        part(r, "disks", () -> disks(r, bootMillis));
        part(r, "network", () -> network(r, bootMillis));
    }

    /** @return whether OSHI runs on this operating system; once false, it stays false */
    private boolean open() {
        if (os != null) {
            return true;
        }
        if (unsupported != null) {
            return false;
        }
        try {
            si = new SystemInfo();
            hal = si.getHardware();
            os = si.getOperatingSystem();
            return true;
        } catch (RuntimeException | LinkageError e) {
            unsupported = "OSHI cannot read this machine (" + System.getProperty("os.name") + "): " + e;
            return false;
        }
    }

    private interface Part {
        void read();
    }

    private static void part(ProbeReadings r, String what, Part p) {
        try {
            p.read();
        } catch (RuntimeException | LinkageError e) {
            r.error(what + " (OSHI): " + e);
        }
    }

    /** The meminfo fields dashboards use, under their Linux names, from OSHI's totals. */
    private void memory(ProbeReadings r) {
        GlobalMemory mem = hal.getMemory();
        gaugeBytes(r, "MemTotal", mem.getTotal());
        gaugeBytes(r, "MemAvailable", mem.getAvailable());
        VirtualMemory swap = mem.getVirtualMemory();
        long swapTotal = swap.getSwapTotal();
        gaugeBytes(r, "SwapTotal", swapTotal);
        gaugeBytes(r, "SwapFree", Math.max(0, swapTotal - swap.getSwapUsed()));
    }

    private static void gaugeBytes(ProbeReadings r, String field, long bytes) {
        if (bytes >= 0) {
            r.gauge("node_memory_" + field + "_bytes", "Memory information field " + field + "_bytes.", bytes,
                    LabelSet.EMPTY);
        }
    }

    private void filesystems(ProbeReadings r) {
        Map<String, OSFileStore> byMountPoint = new LinkedHashMap<>();
        for (OSFileStore fs : os.getFileSystem().getFileStores(true)) {
            String mountPoint = fs.getMount();
            String type = fs.getType() == null ? "" : fs.getType();
            if (mountPoint == null || mountPoint.isEmpty() || HostProbe.FS_MOUNT_EXCLUDE.matcher(mountPoint).find()
                    || HostProbe.FS_TYPE_EXCLUDE.matcher(type).matches()) {
                continue;
            }
            byMountPoint.remove(mountPoint);
            byMountPoint.put(mountPoint, fs);
        }
        for (OSFileStore fs : byMountPoint.values()) {
            LabelSet labels = LabelSet.of("device", fs.getVolume() == null ? "" : fs.getVolume(), "fstype",
                    fs.getType() == null ? "" : fs.getType(), "mountpoint", fs.getMount());
            long size = fs.getTotalSpace();
            r.gauge("node_filesystem_device_error",
                    "Whether an error occurred while getting statistics for the given device.", size > 0 ? 0 : 1,
                    labels);
            if (size <= 0) {
                continue;
            }
            r.gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", size, labels);
            r.gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", fs.getFreeSpace(), labels);
            r.gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
                    fs.getUsableSpace(), labels);
            if (fs.getTotalInodes() > 0) {
                r.gauge("node_filesystem_files", "Filesystem total file nodes.", fs.getTotalInodes(), labels);
                r.gauge("node_filesystem_files_free", "Filesystem total free file nodes.", fs.getFreeInodes(), labels);
            }
            r.gauge("node_filesystem_readonly", "Filesystem read-only status.", readOnly(fs.getOptions()) ? 1 : 0,
                    labels);
        }
    }

    /** Linux and the BSDs say "ro", macOS "read-only" or "rdonly", Windows "ro" too. */
    static boolean readOnly(String options) {
        if (options == null) {
            return false;
        }
        for (String opt : options.toLowerCase(Locale.ROOT).split(",")) {
            String o = opt.trim();
            if (o.equals("ro") || o.equals("read-only") || o.equals("rdonly")) {
                return true;
            }
        }
        return false;
    }

    private void disks(ProbeReadings r, long bootMillis) {
        // listed every cycle, so a disk plugged in later shows, and one pulled out goes
        for (HWDiskStore d : hal.getDiskStores()) {
            String name = d.getName();
            // Windows names disks \\.\PHYSICALDRIVE0, macOS disk0, Linux /dev/sda: the last part
            String device = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
            if (device.isEmpty() || HostProbe.DISK_EXCLUDE.matcher(device).matches()) {
                continue;
            }
            LabelSet l = LabelSet.of("device", device);
            r.counter("node_disk_reads_completed_total", "The total number of reads completed successfully.",
                    d.getReads(), bootMillis, l);
            r.counter("node_disk_read_bytes_total", "The total number of bytes read successfully.", d.getReadBytes(),
                    bootMillis, l);
            r.counter("node_disk_writes_completed_total", "The total number of writes completed successfully.",
                    d.getWrites(), bootMillis, l);
            r.counter("node_disk_written_bytes_total", "The total number of bytes written successfully.",
                    d.getWriteBytes(), bootMillis, l);
            r.counter("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", d.getTransferTime() / 1000.0,
                    bootMillis, l);
            r.gauge("node_disk_io_now", "The number of I/Os currently in progress.", d.getCurrentQueueLength(), l);
        }
    }

    private void network(ProbeReadings r, long bootMillis) {
        // listed every cycle: a laptop's interfaces come and go (Wi-Fi, VPN tunnels, docks)
        for (NetworkIF n : hal.getNetworkIFs(false)) {
            String device = n.getName();
            if (device == null || LOOPBACK.matcher(device).matches()) {
                continue;
            }
            LabelSet d = LabelSet.of("device", device);
            net(r, "receive_bytes", n.getBytesRecv(), bootMillis, d);
            net(r, "receive_packets", n.getPacketsRecv(), bootMillis, d);
            net(r, "receive_errs", n.getInErrors(), bootMillis, d);
            net(r, "receive_drop", n.getInDrops(), bootMillis, d);
            net(r, "transmit_bytes", n.getBytesSent(), bootMillis, d);
            net(r, "transmit_packets", n.getPacketsSent(), bootMillis, d);
            net(r, "transmit_errs", n.getOutErrors(), bootMillis, d);
            net(r, "transmit_colls", n.getCollisions(), bootMillis, d);
        }
    }

    private static void net(ProbeReadings r, String stat, long value, long bootMillis, LabelSet device) {
        r.counter("node_network_" + stat + "_total", "Network device statistic " + stat + ".", value, bootMillis,
                device);
    }
}
