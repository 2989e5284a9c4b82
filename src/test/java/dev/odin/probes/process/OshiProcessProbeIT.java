package dev.odin.probes.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.probes.ProbeProperties;
import dev.odin.probes.StoreView;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process probe through OSHI (what macOS and Windows get), forced on this machine: the same
 * stand-ins as {@link ProcessProbeIT}, the same groups, series and labels.
 */
// counts the machine's "claude" processes: runs after the others, alone (pom.xml, surefire)
@Tag("machine-wide")
class OshiProcessProbeIT {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final List<Socket> accepted = new ArrayList<>();
    private ServerSocket server;

    private Process start(String executableName, boolean child) throws Exception {
        Path exe = dir.resolve(executableName);
        if (!Files.exists(exe)) {
            Files.createSymbolicLink(exe, Path.of(System.getProperty("java.home"), "bin", "java"));
        }
        String classes = Path.of(ClaudeStandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process p = new ProcessBuilder(exe.toString(), "-Xmx16m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                classes, ClaudeStandIn.class.getName(), Integer.toString(server.getLocalPort()),
                child ? "child" : "none").redirectErrorStream(true).start();
        started.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertNotNull(line, "the stand-in did not start");
        assertTrue(line.startsWith("LISTEN "), line);
        return p;
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Socket s : accepted) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void groupsChildrenSocketsStartsAndExitsThroughOshi() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        Process a = start("claude", true);
        Process b = start("claude", false);
        Process other = start("java", false);

        ProcessProbe probe = ProcessProbe.oshi(new ProbeProperties().getProcess().getGroups());
        StoreView view = new StoreView();
        view.cycle(probe);

        assertEquals(3.0, view.value("namedprocess_namegroup_num_procs", "groupname", "claude"));
        for (Process p : List.of(a, b)) {
            String pid = Long.toString(p.pid());
            assertTrue(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid", pid) > 1e6);
            assertTrue(view.value("odin_process_threads", "groupname", "claude", "pid", pid) > 5);
            assertEquals(p.info().startInstant().orElseThrow().toEpochMilli() / 1000.0,
                    view.value("odin_process_start_time_seconds", "groupname", "claude", "pid", pid), 1.0);
        }
        assertNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid",
                Long.toString(other.pid())));
        long child = a.children().findFirst().orElseThrow().pid();
        assertNotNull(view.value("odin_process_start_time_seconds", "groupname", "claude", "pid",
                Long.toString(child)), "the child (sleep) is folded into the group by its parent pid");
        assertEquals(2.0, view.value("odin_process_tcp_connections", "groupname", "claude", "state", "listen"));
        assertEquals(2.0, view.value("odin_process_tcp_connections", "groupname", "claude", "state", "established"));
        assertEquals(2, view.size("odin_process_listening_port"));
        assertTrue(view.value("namedprocess_namegroup_open_filedesc", "groupname", "claude") > 6);
        assertEquals(3.0, view.value("namedprocess_namegroup_states", "groupname", "claude", "state", "Sleeping")
                + view.value("namedprocess_namegroup_states", "groupname", "claude", "state", "Running"));

        a.descendants().forEach(ProcessHandle::destroyForcibly);
        a.destroyForcibly();
        a.waitFor(10, TimeUnit.SECONDS);
        view.cycle(probe);
        assertEquals(1.0, view.value("namedprocess_namegroup_num_procs", "groupname", "claude"));
        assertEquals(2.0, view.value("odin_process_exits_total", "groupname", "claude"));
        assertNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid",
                Long.toString(a.pid())), "an exited process's series are gone");
    }
}
