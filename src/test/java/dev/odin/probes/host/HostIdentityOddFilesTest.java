package dev.odin.probes.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.odin.series.LabelSet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HostIdentity.fromProcfs on files that are not what a tidy x86 laptop has. */
class HostIdentityOddFilesTest {

    @TempDir
    Path root;

    private Path write(String path, byte[] bytes) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    private static byte[] bytes(String ascii, int odd, String more) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
        b.write(odd);
        b.writeBytes(more.getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    /**
     * A CPU model string and DMI strings are whatever the firmware or the hypervisor put there
     * (QEMU's model-id, a board's SMBIOS): a byte that is not UTF-8 (Latin-1's (R) here) is one
     * odd character, not a machine without identity.
     */
    @Test
    void bytesThatAreNotUtf8AreReplacedNotFatal() throws Exception {
        write("proc/cpuinfo", bytes("processor\t: 0\nmodel name\t: Virtual CPU", 0xAE,
                " 9000\nphysical id\t: 0\ncore id\t\t: 0\n\n"));
        write("sys/devices/virtual/dmi/id/sys_vendor", bytes("Maker", 0xFF, "\n"));
        write("sys/devices/virtual/dmi/id/product_name", "Board\n".getBytes(StandardCharsets.US_ASCII));
        Path osRelease = write("etc/os-release", bytes("NAME=\"Distro", 0xE9, "\"\nVERSION_ID=1\n"));
        LabelSet id = HostIdentity.fromProcfs(root.resolve("proc"), root.resolve("sys"), osRelease);
        assertNotNull(id, "an odd byte in cpuinfo must not hide the whole identity");
        assertEquals("Virtual CPU\ufffd 9000", id.get("cpu_model"));
        assertEquals("1", id.get("cpu_threads"));
        assertEquals("Maker\ufffd", id.get("manufacturer"));
        assertEquals("Board", id.get("model"));
        assertEquals("Distro\ufffd 1", id.get("os"));
    }
}
