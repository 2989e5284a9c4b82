package dev.odin.probes.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.odin.series.LabelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {

    @TempDir
    Path root;

    private Path write(String path, String text) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static String cpu(int processor, int physical, int core) {
        return "processor\t: " + processor + "\nvendor_id\t: GenuineIntel\nmodel name\t: 12th Gen Intel(R) Core(TM)"
                + " i7-1260P\nphysical id\t: " + physical + "\ncore id\t\t: " + core + "\n\n";
    }

    @Test
    void aLaptopWithHyperThreads() throws Exception {
        // four logical CPUs on two cores of one package
        write("proc/cpuinfo", cpu(0, 0, 0) + cpu(1, 0, 1) + cpu(2, 0, 0) + cpu(3, 0, 1));
        write("proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
        write("sys/devices/virtual/dmi/id/sys_vendor", "LENOVO\n");
        write("sys/devices/virtual/dmi/id/product_name", "21CB\n");
        write("sys/devices/virtual/dmi/id/product_version", "ThinkPad X1 Carbon Gen 10\n");
        Path osRelease = write("etc/os-release", "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\n"
                + "VERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nID=ubuntu\n");

        assertEquals(LabelSet.of("cpu_model", "12th Gen Intel(R) Core(TM) i7-1260P", "cpu_cores", "2", "cpu_threads", "4",
                "manufacturer", "LENOVO", "model", "21CB (version: ThinkPad X1 Carbon Gen 10)",
                "os", "Ubuntu 24.04", "kernel", "6.8.0-45-generic"),
                HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), osRelease));
    }

    @Test
    void twoPackagesCountTheirCoresApart() throws Exception {
        write("proc/cpuinfo", cpu(0, 0, 0) + cpu(1, 1, 0) + cpu(2, 0, 1) + cpu(3, 1, 1));
        LabelSet id = HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), root.resolve("none"));
        assertEquals("4", id.get("cpu_cores"));
        assertEquals("4", id.get("cpu_threads"));
    }

    @Test
    void anArmBoardWithoutCoreIdsUsesSysfsTopologyAndNoDmi() throws Exception {
        write("proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 108.00\n\nprocessor\t: 1\nBogoMIPS\t: 108.00\n\n"
                + "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n");
        write("sys/devices/system/cpu/cpu0/topology/core_id", "0\n");
        write("sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
        write("sys/devices/system/cpu/cpu1/topology/core_id", "1\n");
        write("sys/devices/system/cpu/cpu1/topology/physical_package_id", "0\n");
        Path osRelease = write("etc/os-release", "NAME='Debian GNU/Linux'\nVERSION_ID='12'\n");

        assertEquals(LabelSet.of("cpu_model", "BCM2835", "cpu_cores", "2", "cpu_threads", "2", "manufacturer", "",
                "model", "", "os", "Debian GNU/Linux 12", "kernel", ""),
                HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), osRelease));
    }

    @Test
    void aProductVersionOfNoneAndAnImageWithoutOsRelease() throws Exception {
        write("proc/cpuinfo", cpu(0, 0, 0));
        write("sys/devices/virtual/dmi/id/sys_vendor", "QEMU\n");
        write("sys/devices/virtual/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
        write("sys/devices/virtual/dmi/id/product_version", "None\n");
        LabelSet id = HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), root.resolve("none"));
        assertEquals("Standard PC (Q35 + ICH9, 2009)", id.get("model"));
        assertEquals("QEMU", id.get("manufacturer"));
        assertEquals("Linux", id.get("os"));
        assertEquals("1", id.get("cpu_cores"));
    }

    @Test
    void noCpuinfoNoIdentity() {
        assertNull(HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), root.resolve("none")));
    }

    @Test
    void filesWithoutACpuModelOrCountAreAskedOfOshi() throws Exception {
        // arm64: implementer and part numbers only, which OSHI decodes into a name
        write("proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 48.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n\n");
        LabelSet oshi = HostIdentity.read();
        assertEquals(oshi, HostIdentity.linux(root.resolve("proc"), root.resolve("sys"), root.resolve("none")));
        // a full cpuinfo is the files' answer, not OSHI's
        write("proc/cpuinfo", cpu(0, 0, 0));
        assertEquals("12th Gen Intel(R) Core(TM) i7-1260P",
                HostIdentity.linux(root.resolve("proc"), root.resolve("sys"), root.resolve("none")).get("cpu_model"));
    }

    /** The real peer: on this Linux machine, the files give what OSHI gives. */
    @Test
    void onThisMachineTheFilesSayWhatOshiSays() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isReadable(Path.of("/proc/cpuinfo")),
                "a Linux host");
        LabelSet oshi = HostIdentity.read();
        assertNotNull(oshi);
        Path osRelease = Files.exists(Path.of("/etc/os-release")) ? Path.of("/etc/os-release")
                : Path.of("/usr/lib/os-release");
        assertEquals(oshi, HostIdentity.fromProcfs(Path.of("/proc"), Path.of("/sys"), osRelease));
    }
}
