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
 * The process probe against real processes: JVMs started through a link named {@code claude}
 * (so the kernel names them claude), one plain {@code java} beside them, with real sockets.
 */
// counts the machine's "claude" processes: runs after the others, alone (pom.xml, surefire)
@Tag("machine-wide")
class ProcessProbeIT {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final List<Socket> accepted = new ArrayList<>();
    private ServerSocket server;

    /** A running stand-in and the port it listens on. */
    private record StandIn(Process process, int port) {
        String pid() {
            return Long.toString(process.pid());
        }
    }

    private StandIn start(String executableName, boolean child) throws Exception {
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
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertNotNull(line, "the stand-in did not start");
        assertTrue(line.startsWith("LISTEN "), line);
        return new StandIn(p, Integer.parseInt(line.substring(7)));
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
    void groupsPidsPortsConnectionsStartsAndExits() throws Exception {
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

        StandIn a = start("claude", true);
        StandIn b = start("claude", false);
        StandIn other = start("java", false);

        ProcessProbe probe = new ProcessProbe(Path.of("/proc"), new ProbeProperties().getProcess().getGroups());
        StoreView view = new StoreView();
        view.cycle(probe);

        // two claudes and the child of the first (sleep), folded into the group; not the plain java
        assertEquals(3.0, view.value("namedprocess_namegroup_num_procs", "groupname", "claude"));
        for (StandIn s : List.of(a, b)) {
            assertEquals(1.0, view.value("odin_process_listening_port", "groupname", "claude", "pid", s.pid(), "port",
                    Integer.toString(s.port()), "protocol", listenProtocol(view, s)));
            assertNotNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid", s.pid()));
            assertTrue(view.value("odin_process_threads", "groupname", "claude", "pid", s.pid()) > 5);
            assertTrue(view.value("odin_process_cpu_seconds_total", "groupname", "claude", "pid", s.pid(), "mode",
                    "user") > 0);
        }
        assertNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid", other.pid()));
        long child = a.process().children().findFirst().orElseThrow().pid();
        assertNotNull(view.value("odin_process_start_time_seconds", "groupname", "claude", "pid",
                Long.toString(child)));
        assertEquals(2.0, view.value("odin_process_tcp_connections", "groupname", "claude", "state", "listen"));
        assertEquals(2.0, view.value("odin_process_tcp_connections", "groupname", "claude", "state", "established"));
        assertTrue(view.value("namedprocess_namegroup_memory_bytes", "groupname", "claude", "memtype", "resident")
                > 10e6);
        assertTrue(view.value("namedprocess_namegroup_open_filedesc", "groupname", "claude") > 6);
        double worst = view.value("namedprocess_namegroup_worst_fd_ratio", "groupname", "claude");
        assertTrue(worst > 0 && worst < 1, "worst fd ratio " + worst);
        double sleeping = view.value("namedprocess_namegroup_states", "groupname", "claude", "state", "Sleeping");
        double running = view.value("namedprocess_namegroup_states", "groupname", "claude", "state", "Running");
        assertEquals(3.0, sleeping + running);
        double oldest = view.value("namedprocess_namegroup_oldest_start_time_seconds", "groupname", "claude");
        assertEquals(a.process().info().startInstant().orElseThrow().toEpochMilli() / 1000.0, oldest, 1.0);
        assertEquals(0.0, view.value("odin_process_starts_total", "groupname", "claude"));
        assertEquals(0.0, view.value("odin_process_exits_total", "groupname", "claude"));
        double cpuBefore = view.value("namedprocess_namegroup_cpu_seconds_total", "groupname", "claude", "mode",
                "user");

        // one claude exits (with its child), another starts
        a.process().descendants().forEach(ProcessHandle::destroyForcibly);
        a.process().destroyForcibly();
        a.process().waitFor(10, TimeUnit.SECONDS);
        StandIn c = start("claude", false);
        view.cycle(probe);

        assertEquals(2.0, view.value("namedprocess_namegroup_num_procs", "groupname", "claude"));
        assertEquals(1.0, view.value("odin_process_starts_total", "groupname", "claude"));
        assertEquals(2.0, view.value("odin_process_exits_total", "groupname", "claude"));
        assertNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid", a.pid()),
                "an exited process's series are gone");
        assertNull(view.value("odin_process_listening_port", "groupname", "claude", "pid", a.pid(), "port",
                Integer.toString(a.port()), "protocol", "tcp"));
        assertNotNull(view.value("odin_process_resident_memory_bytes", "groupname", "claude", "pid", c.pid()));
        double cpuAfter = view.value("namedprocess_namegroup_cpu_seconds_total", "groupname", "claude", "mode", "user");
        assertTrue(cpuAfter >= cpuBefore, "a group's CPU counter never goes back when a member exits: " + cpuBefore
                + " -> " + cpuAfter);
    }

    /** A JVM listening on the loopback address may show in tcp (IPv4) or tcp6 (dual-stack). */
    private static String listenProtocol(StoreView view, StandIn s) {
        return view.value("odin_process_listening_port", "groupname", "claude", "pid", s.pid(), "port",
                Integer.toString(s.port()), "protocol", "tcp") != null ? "tcp" : "tcp6";
    }
}
