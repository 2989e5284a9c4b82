package dev.odin.probes.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parser against fixed tables, and the live read only on the sockets this test holds open:
 * nothing here depends on what other processes on the machine open or close meanwhile.
 */
class TcpTableTest {

    @TempDir
    Path dir;

    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1061 1 0000000005939914 100 0 0 10 0
               1: 0100007F:905A 0100007F:95A1 06 00000000:00000000 03:000005D0 00000000     0        0 0 3 00000000c0a233e5
               2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 2002 1 0000000000000000 20 4 30 10 -1
               3: 0100007F:10E1 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2003 1 0000000000000000 100 0 0 10 0
            """;

    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000100007F:B675 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1420120 1 00000000dc20175c 100 0 0 10 0
               1: 00000000000000000000000001000000:10E2 00000000000000000000000001000000:D431 08 00000000:00000000 00:00000000 00000000  1000        0 3001 1 0000000000000000 20 4 0 10 -1
            """;

    @Test
    void readsStatePortAndProtocolOfTheWantedSocketsOfAFixedTable() throws Exception {
        Files.writeString(dir.resolve("tcp"), TCP, StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("tcp6"), TCP6, StandardCharsets.ISO_8859_1);
        List<String> seen = new ArrayList<>();
        // 1061 is not wanted; the time_wait socket has inode 0 and belongs to no process
        TcpTable.read(dir, inode -> inode != 1061, (inode, state, port, protocol) ->
                seen.add(inode + " " + TcpTable.stateName(state) + " " + port + " " + protocol));
        assertThat(seen).containsExactly("2002 established 8080 tcp", "2003 listen 4321 tcp",
                "1420120 listen 46709 tcp6", "3001 close_wait 4322 tcp6");
    }

    @Test
    void aMissingTcp6TableIsNoIpv6() throws Exception {
        Files.writeString(dir.resolve("tcp"), TCP, StandardCharsets.ISO_8859_1);
        List<Long> seen = new ArrayList<>();
        TcpTable.read(dir, inode -> true, (inode, state, port, protocol) -> seen.add(inode));
        assertThat(seen).containsExactly(1061L, 2002L, 2003L);
    }

    /** A regular file answers every read in full: the short-read rule stops only at its end. */
    @Test
    void readsAFileLongerThanTheBufferWhole() throws Exception {
        StringBuilder table = new StringBuilder(TCP.substring(0, TCP.indexOf('\n') + 1));
        for (int i = 0; i < 1000; i++) { // ~150 KB: more than the first 64 KB buffer
            table.append(String.format(Locale.ROOT, "%4d: 0100007F:%04X 00000000:0000 0A 00000000:00000000"
                    + " 00:00000000 00000000  1000        0 %d 1 0000000000000000 100 0 0 10 0%n", i, 10000 + i,
                    50000 + i));
        }
        Path file = dir.resolve("tcp");
        Files.writeString(file, table, StandardCharsets.ISO_8859_1);
        assertThat(TcpTable.readSeqFile(file)).isEqualTo(table.toString());
        Set<Integer> ports = new HashSet<>();
        TcpTable.read(dir, inode -> true, (inode, state, port, protocol) -> ports.add(port));
        assertThat(ports).hasSize(1000).contains(10000, 10999);
    }

    /**
     * Far more sockets than one page of the kernel's net/tcp holds: the short-read rule must not
     * lose any. Only the listeners this test opened are compared (on 127.0.0.1, which no other
     * process can bind to the same port while they are open).
     */
    @Test
    void theFastReadOfTheKernelsTableHasEverySocketThisTestOpened() throws Exception {
        List<ServerSocket> open = new ArrayList<>();
        try {
            Set<Integer> mine = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                open.add(s);
                mine.add(s.getLocalPort());
            }
            Path net = Path.of("/proc/self/net");
            Set<Integer> fast = new HashSet<>();
            Set<Integer> whole = new HashSet<>();
            for (String table : new String[] {"tcp", "tcp6"}) {
                Path file = net.resolve(table);
                if (!Files.exists(file)) {
                    continue;
                }
                fast.addAll(myListeners(TcpTable.readSeqFile(file), mine));
                whole.addAll(myListeners(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), mine));
            }
            assertThat(whole).isEqualTo(mine);
            assertThat(fast).isEqualTo(mine);
            Set<Integer> visited = new HashSet<>();
            TcpTable.read(net, inode -> true, (inode, state, port, protocol) -> {
                if (state == TcpTable.LISTEN && mine.contains(port)) {
                    visited.add(port);
                }
            });
            assertThat(visited).isEqualTo(mine);
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    /** Ports of the lines that are a listener on 127.0.0.1 (IPv4 or v4-mapped) at one of these ports. */
    private static Set<Integer> myListeners(String text, Set<Integer> ports) {
        Set<Integer> out = new HashSet<>();
        for (String l : text.split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals("0A") || !f[1].contains("0100007F:")) {
                continue;
            }
            String local = f[1];
            int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
            if (ports.contains(port)) {
                out.add(port);
            }
        }
        return out;
    }

    /**
     * A table longer than the first buffer, read as the kernel hands out net/tcp: a page's worth of
     * whole lines (27 of 150 bytes) a read. The reads once filled the 64 KiB buffer to its last
     * 736 bytes, which came back short and passed for the end: the table was cut at 64 KiB.
     */
    @Test
    void aTableOfManyPagesIsReadWhole() throws Exception {
        Path fifo = dir.resolve("tcp");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo");
        String line = String.format(Locale.ROOT, "%149s\n", "x");
        String page = line.repeat(27);
        int pages = 40;
        Thread writer = new Thread(() -> {
            try (java.io.FileOutputStream out = new java.io.FileOutputStream(fifo.toFile())) {
                for (int i = 0; i < pages; i++) {
                    out.write(page.getBytes(StandardCharsets.ISO_8859_1)); // under PIPE_BUF: one read's worth
                    out.flush();
                    Thread.sleep(2); // one page a read, as from the kernel
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        String read = TcpTable.readSeqFile(fifo);
        writer.join(10_000);
        assertThat(read.length()).isEqualTo(page.length() * pages);
    }
}
