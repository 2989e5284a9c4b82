package dev.odin.probes.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.odin.probes.HostPlatform;
import dev.odin.probes.StoreView;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.Series;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OSHI host probe (what macOS and Windows get) forced on Linux, where OSHI reads the same
 * kernel files: its series have the procfs probe's names and labels, and its fixed figures the
 * kernel's values.
 */
class OshiHostProbeTest {

    private final StoreView oshi = new StoreView();
    private final StoreView procfs = new StoreView();

    @Test
    void theSameNamesAndTheKernelsFiguresOnLinux() throws Exception {
        assumeTrue(HostPlatform.linux(), "compares OSHI with procfs, which only Linux has");
        OshiHostProbe probe = new OshiHostProbe(Clock.systemUTC());
        double before = idleSeconds();
        oshi.cycle(probe);
        double after = idleSeconds();
        procfs.cycle(new HostProbe(Path.of("/proc"), Path.of("/sys"), "/", Clock.systemUTC(),
                FilesystemStats.statvfs()));

        long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElseThrow();
        assertEquals(memTotalKb * 1024.0, oshi.value("node_memory_MemTotal_bytes"));
        assertEquals(procfs.value("node_memory_SwapTotal_bytes"), oshi.value("node_memory_SwapTotal_bytes"));
        assertNotNull(oshi.value("node_memory_MemAvailable_bytes"));
        assertNotNull(oshi.value("node_memory_SwapFree_bytes"));
        assertEquals(procfs.value("node_boot_time_seconds"), oshi.value("node_boot_time_seconds"));
        assertEquals(Runtime.getRuntime().availableProcessors() * 8, oshi.size("node_cpu_seconds_total"));
        double idle = oshi.value("node_cpu_seconds_total", "cpu", "0", "mode", "idle");
        assertTrue(idle >= before - 0.01 && idle <= after + 0.01, before + " <= " + idle + " <= " + after);
        assertNotNull(oshi.value("node_load1"));
        assertNotNull(oshi.value("node_context_switches_total"));
        assertNotNull(oshi.value("node_time_seconds"));
        assertEquals(1, oshi.size("odin_host_info"));

        // the same filesystems, with the same labels and sizes, as the procfs path sees
        Map<LabelSet, Double> sizes = values(procfs, "node_filesystem_size_bytes");
        assertFalse(sizes.isEmpty(), "no filesystem on this machine?");
        assertEquals(sizes, values(oshi, "node_filesystem_size_bytes"));
        assertEquals(values(procfs, "node_filesystem_files"), values(oshi, "node_filesystem_files"));
        assertEquals(values(procfs, "node_filesystem_readonly"), values(oshi, "node_filesystem_readonly"));
        // network interfaces and disks under the kernel's names (OSHI leaves out those without hardware)
        assertLabelsWithin(oshi, procfs, "node_network_receive_bytes_total");
        assertLabelsWithin(oshi, procfs, "node_network_transmit_packets_total");
        assertLabelsWithin(oshi, procfs, "node_disk_read_bytes_total");
        assertEquals(oshi.size("node_disk_read_bytes_total"), oshi.size("node_disk_io_now"));

        // a second cycle updates, and what OSHI lacks is left out rather than written as 0
        oshi.cycle(probe);
        assertTrue(oshi.value("node_cpu_seconds_total", "cpu", "0", "mode", "idle") >= idle);
        assertEquals(0, oshi.size("node_forks_total"));
        assertEquals(0, oshi.size("node_cpu_guest_seconds_total"));
        assertEquals(0, oshi.size("node_memory_Cached_bytes"));
    }

    @Test
    void readOnlyAsEachPlatformSpellsIt() {
        assertTrue(OshiHostProbe.readOnly("ro,relatime"));
        assertTrue(OshiHostProbe.readOnly("local,read-only,journaled"));
        assertTrue(OshiHostProbe.readOnly("RDONLY"));
        assertFalse(OshiHostProbe.readOnly("rw,errors=remount-ro"));
        assertFalse(OshiHostProbe.readOnly(null));
    }

    @Test
    void theCpuModesEachPlatformCounts() {
        assertEquals(java.util.List.of(0, 1, 2, 3), list(OshiHostProbe.modes("Mac OS X")));
        assertEquals(java.util.List.of(0, 2, 3, 5, 6), list(OshiHostProbe.modes("Windows 11")));
        assertEquals(java.util.List.of(0, 1, 2, 3, 4, 5, 6, 7), list(OshiHostProbe.modes("Linux")));
    }

    @Test
    void theTickUnitEachPlatformHas() {
        // OSHI scales to milliseconds on Linux and Windows; macOS's Mach ticks are CLK_TCK (100 Hz)
        assertEquals(1000.0, OshiHostProbe.ticksPerSecond("Linux"));
        assertEquals(1000.0, OshiHostProbe.ticksPerSecond("Windows 11"));
        assertEquals(100.0, OshiHostProbe.ticksPerSecond("Mac OS X"));
        // the BSDs count at stathz, which OSHI does not expose: no CPU seconds there
        assertEquals(0.0, OshiHostProbe.ticksPerSecond("FreeBSD"));
    }

    private static java.util.List<Integer> list(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private static void assertLabelsWithin(StoreView sub, StoreView all, String metric) {
        TreeSet<String> mine = new TreeSet<>();
        values(sub, metric).keySet().forEach(l -> mine.add(l.toString()));
        TreeSet<String> theirs = new TreeSet<>();
        values(all, metric).keySet().forEach(l -> theirs.add(l.toString()));
        assertTrue(theirs.containsAll(mine), metric + ": " + mine + " not within " + theirs);
        assertEquals(theirs.isEmpty(), mine.isEmpty(), metric + ": " + mine + " vs " + theirs);
    }

    private static Map<LabelSet, Double> values(StoreView view, String metric) {
        Map<LabelSet, Double> out = new TreeMap<>(java.util.Comparator.comparing(LabelSet::toString));
        MetricFamily f = view.store.familyIfPresent(metric);
        if (f != null) {
            for (Series s : f.seriesView()) {
                String[] kv = new String[s.labels().size() * 2];
                for (int i = 0; i < s.labels().size(); i++) {
                    kv[2 * i] = s.labels().name(i);
                    kv[2 * i + 1] = s.labels().value(i);
                }
                out.put(s.labels(), view.value(metric, kv));
            }
        }
        return out;
    }

    /** cpu0's idle seconds from /proc/stat. */
    private static double idleSeconds() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu0 ")) {
                return Long.parseLong(line.split("\\s+")[4]) / 100.0;
            }
        }
        throw new AssertionError("no cpu0 in /proc/stat");
    }
}
