package dev.odin.probes.process;

import dev.odin.probes.SysFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * Reads /proc/PID/net/tcp and tcp6: one line per socket in the process's network namespace,
 * with its local address, state and inode. Sockets are tied to processes by inode (the
 * {@code socket:[inode]} links in /proc/PID/fd), as ss and OSHI's connection list do.
 */
final class TcpTable {

    /** The kernel's TCP states, indexed by the hex number in the st column. */
    static final String[] STATES = {"unknown", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
        "time_wait", "close", "close_wait", "last_ack", "listen", "closing", "new_syn_recv"};
    static final int LISTEN = 0x0A;

    interface Visitor {
        void socket(long inode, int state, int localPort, String protocol);
    }

    private TcpTable() {
    }

    /** Calls the visitor for each socket whose inode the filter accepts. */
    static void read(Path netDir, LongPredicate wanted, Visitor visitor) throws IOException {
        read(netDir.resolve("tcp"), "tcp", wanted, visitor);
        read(netDir.resolve("tcp6"), "tcp6", wanted, visitor);
    }

    private static void read(Path file, String protocol, LongPredicate wanted, Visitor visitor) throws IOException {
        String text;
        try {
            text = readSeqFile(file);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return; // no IPv6 in this kernel
        }
        int lineStart = text.indexOf('\n') + 1; // header
        while (lineStart > 0 && lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            String[] f = SysFiles.fields(text.substring(lineStart, lineEnd));
            lineStart = lineEnd + 1;
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
            if (f.length < 10) {
                continue;
            }
            long inode = Long.parseLong(f[9]);
            if (inode == 0 || !wanted.test(inode)) {
                continue;
            }
            String local = f[1];
            int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
            int state = Integer.parseInt(f[3], 16);
            visitor.socket(inode, state, port, protocol);
        }
    }

    /**
     * Reads a procfs table without the final read that only finds the end. The kernel walks its
     * whole socket hash table for every read() of net/tcp (milliseconds on a machine with a lot
     * of memory, however few sockets there are), and fills each read up to its one-page buffer:
     * a read that returns well under a page has reached the end.
     */
    static String readSeqFile(Path file) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int len = 0;
        try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
            while (true) {
                // every read asks for more than a page: a read that could only fill the end of the
                // buffer would come back short and pass for the end (a table cut at 64 KiB, about
                // 430 sockets: a laptop with a browser open)
                if (buf.length - len < MIN_READ) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
                int n = in.read(buf, len, buf.length - len);
                if (n <= 0) {
                    break;
                }
                len += n;
                if (n < PARTIAL_READ_MEANS_END) {
                    break;
                }
            }
        }
        return new String(buf, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Half a page: a read cut short by a full page buffer is within one line (<200 bytes) of 4096. */
    static final int PARTIAL_READ_MEANS_END = 2048;

    /** What each read asks for at least: two pages, so only the end of the table reads short. */
    static final int MIN_READ = 8192;

    static String stateName(int state) {
        return state >= 0 && state < STATES.length ? STATES[state] : "unknown";
    }
}
