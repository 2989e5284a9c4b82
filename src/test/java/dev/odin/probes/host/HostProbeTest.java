package dev.odin.probes.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.odin.probes.StoreView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host probe against a fake /proc and /sys: exact values, node_exporter's exclusions. */
class HostProbeTest {

    @TempDir
    Path root;

    private final StoreView view = new StoreView();

    private void write(String path, String text) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private HostProbe probe() {
        FilesystemStats stats = path -> path.equals("/broken") ? null
                : new FilesystemStats.Stats(1000.0 * 4096, 400.0 * 4096, 300.0 * 4096, 65536, 60000);
        return new HostProbe(root.resolve("proc"), root.resolve("sys"), "/",
                Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC), stats);
    }

    private void fakeTree() throws Exception {
        write("proc/stat", "cpu  300 2 150 9000 40 0 7 3 0 0\n"
                + "cpu0 100 1 50 4500 20 0 3 1 0 0\n"
                + "cpu1 200 1 100 4500 20 0 4 2 5 1\n"
                + "intr 637250 0 9 0\nctxt 1031620\nbtime 1795358067\nprocesses 12006\n"
                + "procs_running 3\nprocs_blocked 1\nsoftirq 1 2 3\n");
        write("proc/loadavg", "4.78 1.25 0.75 3/210 12345\n");
        write("proc/meminfo", "MemTotal:       24684092 kB\nMemFree:        20000000 kB\n"
                + "MemAvailable:   22000000 kB\nActive(anon):       1560 kB\nHugePages_Total:       0\n"
                + "Hugepagesize:       2048 kB\n");
        write("proc/1/mounts", "/dev/vda / ext4 rw,relatime 0 0\n"
                + "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n"
                + "overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0\n"
                + "tmpfs /run tmpfs rw,nosuid 0 0\ntmpfs /srv/scratch tmpfs rw,nosuid 0 0\n"
                + "/dev/sdb1 /data/my\\040disk vfat ro,noatime 0 0\n"
                + "/dev/sdc1 /broken ext4 rw 0 0\n"
                + "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n");
        write("proc/diskstats", "   8       0 sda 100 5 2048 30 200 6 4096 40 0 50 70 0 0 0 0\n"
                + "   8       1 sda1 90 5 2000 30 200 6 4096 40 0 50 70 0 0 0 0\n"
                + "   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0\n"
                + " 259       0 nvme0n1 10 0 80 1 20 0 160 2 1 3 4 0 0 0 0\n"
                + " 259       1 nvme0n1p1 10 0 80 1 20 0 160 2 1 3 4 0 0 0 0\n");
        write("proc/net/dev", "Inter-|   Receive                                                |  Transmit\n"
                + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop"
                + " fifo colls carrier compressed\n"
                + "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n"
                + "  eth0: 79307504 6000 1 2 0 0 0 5 1234567 4000 3 4 0 0 0 0\n");
        write("sys/devices/platform/coretemp.0/hwmon/hwmon1/name", "coretemp\n");
        write("sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_input", "45000\n");
        write("sys/devices/platform/coretemp.0/hwmon/hwmon1/temp2_input", "47500\n");
        Files.createDirectories(root.resolve("sys/class/hwmon"));
        Files.createSymbolicLink(root.resolve("sys/class/hwmon/hwmon1"),
                root.resolve("sys/devices/platform/coretemp.0/hwmon/hwmon1"));
        Files.createSymbolicLink(root.resolve("sys/devices/platform/coretemp.0/hwmon/hwmon1/device"),
                root.resolve("sys/devices/platform/coretemp.0"));
        write("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
        write("sys/class/thermal/thermal_zone0/temp", "52000\n");
    }

    @Test
    void readsTheFakeMachineWithNodeExporterNamesAndUnits() throws Exception {
        fakeTree();
        view.cycle(probe());
        assertEquals(1.0, view.value("node_cpu_seconds_total", "cpu", "0", "mode", "user"));
        assertEquals(45.0, view.value("node_cpu_seconds_total", "cpu", "1", "mode", "idle"));
        assertEquals(0.02, view.value("node_cpu_seconds_total", "cpu", "1", "mode", "steal"));
        assertEquals(0.05, view.value("node_cpu_guest_seconds_total", "cpu", "1", "mode", "user"));
        assertEquals(16, view.size("node_cpu_seconds_total"), "the total cpu line is not a cpu");
        assertEquals(1_795_358_067.0, view.value("node_boot_time_seconds"));
        assertEquals(1_800_000_000.0, view.value("node_time_seconds"));
        assertEquals(1_031_620.0, view.value("node_context_switches_total"));
        assertEquals(12006.0, view.value("node_forks_total"));
        assertEquals(3.0, view.value("node_procs_running"));
        assertEquals(4.78, view.value("node_load1"));
        assertEquals(0.75, view.value("node_load15"));
        assertEquals(24684092.0 * 1024, view.value("node_memory_MemTotal_bytes"));
        assertEquals(1560.0 * 1024, view.value("node_memory_Active_anon_bytes"));
        assertEquals(0.0, view.value("node_memory_HugePages_Total"));
        assertEquals(2048.0 * 1024, view.value("node_memory_Hugepagesize_bytes"));

        assertEquals(4096000.0, view.value("node_filesystem_size_bytes", "device", "/dev/vda", "fstype", "ext4",
                "mountpoint", "/"));
        assertEquals(300.0 * 4096, view.value("node_filesystem_avail_bytes", "device", "/dev/vda", "fstype", "ext4",
                "mountpoint", "/"));
        assertEquals(60000.0, view.value("node_filesystem_files_free", "device", "/dev/vda", "fstype", "ext4",
                "mountpoint", "/"));
        assertEquals(1.0, view.value("node_filesystem_readonly", "device", "/dev/sdb1", "fstype", "vfat",
                "mountpoint", "/data/my disk"));
        assertEquals(0.0, view.value("node_filesystem_readonly", "device", "tmpfs", "fstype", "tmpfs",
                "mountpoint", "/srv/scratch"));
        assertEquals(1.0, view.value("node_filesystem_device_error", "device", "/dev/sdc1", "fstype", "ext4",
                "mountpoint", "/broken"));
        assertNull(view.value("node_filesystem_size_bytes", "device", "/dev/sdc1", "fstype", "ext4",
                "mountpoint", "/broken"));
        // /proc, /sys, /run, overlay, cgroup2 and docker's mounts are excluded as node_exporter does
        assertEquals(3, view.size("node_filesystem_size_bytes"));

        assertEquals(2048.0 * 512, view.value("node_disk_read_bytes_total", "device", "sda"));
        assertEquals(0.05, view.value("node_disk_io_time_seconds_total", "device", "sda"));
        assertEquals(200.0, view.value("node_disk_writes_completed_total", "device", "sda"));
        assertEquals(10.0, view.value("node_disk_reads_completed_total", "device", "nvme0n1"));
        assertEquals(2, view.size("node_disk_read_bytes_total"), "partitions and loop devices excluded");

        assertEquals(79307504.0, view.value("node_network_receive_bytes_total", "device", "eth0"));
        assertEquals(2.0, view.value("node_network_receive_drop_total", "device", "eth0"));
        assertEquals(3.0, view.value("node_network_transmit_errs_total", "device", "eth0"));
        assertNull(view.value("node_network_receive_bytes_total", "device", "lo"));

        assertEquals(45.0, view.value("node_hwmon_temp_celsius", "chip", "platform_coretemp_0", "sensor", "temp1"));
        assertEquals(47.5, view.value("node_hwmon_temp_celsius", "chip", "platform_coretemp_0", "sensor", "temp2"));
        assertEquals(52.0, view.value("node_thermal_zone_temp", "type", "x86_pkg_temp", "zone", "0"));
    }

    @Test
    void aMissingPartIsAnErrorAndTheRestIsStillRead() throws Exception {
        fakeTree();
        Files.delete(root.resolve("proc/diskstats"));
        view.readings.begin(System.currentTimeMillis());
        probe().collect(view.readings);
        view.readings.commit();
        assertEquals(1, view.readings.errors().size());
        assertEquals(4.78, view.value("node_load1"));
    }

    @Test
    void withoutProcStatTheProbeFails() throws Exception {
        fakeTree();
        Files.delete(root.resolve("proc/stat"));
        view.readings.begin(System.currentTimeMillis());
        assertThrows(java.io.IOException.class, () -> probe().collect(view.readings));
    }

    @Test
    void anUnmountedFilesystemDisappears() throws Exception {
        fakeTree();
        HostProbe probe = probe();
        view.cycle(probe);
        write("proc/1/mounts", "/dev/vda / ext4 rw,relatime 0 0\n");
        view.cycle(probe);
        assertEquals(1, view.size("node_filesystem_size_bytes"));
    }
}
