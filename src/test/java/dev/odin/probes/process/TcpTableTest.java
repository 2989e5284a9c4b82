package dev.odin.probes.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TcpTableTest {

    /** Far more sockets than one page of net/tcp holds: the short-read rule must not lose any. */
    @Test
    void readsEveryLineOfATableLongerThanAPage() throws Exception {
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                open.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            for (String table : new String[] {"tcp", "tcp6"}) {
                Path file = Path.of("/proc/self/net", table);
                String fast = TcpTable.readSeqFile(file);
                String whole = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertEquals(lines(whole).size(), lines(fast).size(), table);
            }
            Set<Integer> ports = new HashSet<>();
            TcpTable.read(Path.of("/proc/self/net"), inode -> true, (inode, state, port, protocol) -> {
                if (state == TcpTable.LISTEN) {
                    ports.add(port);
                }
            });
            for (ServerSocket s : open) {
                assertTrue(ports.contains(s.getLocalPort()), "port " + s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    private static Set<String> lines(String text) {
        Set<String> out = new HashSet<>();
        for (String l : text.split("\n")) {
            // the first column is a running number; the socket is the rest
            String t = l.trim();
            out.add(t.substring(t.indexOf(' ') + 1).replaceAll("\\s+", " "));
        }
        return out;
    }
}
