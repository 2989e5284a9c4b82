package dev.odin.probes.process;

import dev.odin.probes.SysFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads one process from procfs: stat, status, io, limits and its fds. Only group members are
 * read, so this is the per-member cost of a cycle: about 0.1 ms, where OSHI's OSProcess (which
 * also resolves the user, the executable and more) takes 0.4 ms (docs/benchmarks.md).
 */
final class ProcessReader {

    /** The kernel's USER_HZ on every architecture ODIN runs on. */
    private static final double USER_HZ = 100.0;

    /** What a cycle needs of one process. */
    record Sample(int pid, long startMillis, double userSeconds, double systemSeconds, char state, long threads,
            long residentBytes, long virtualBytes, long readBytes, long writeBytes, long openFds, long fdLimit,
            long[] socketInodes) {
    }

    private final Path proc;
    private long bootMillis = -1;

    ProcessReader(Path proc) {
        this.proc = proc;
    }

    /** @return the process, or null when it has exited */
    Sample read(int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            String stat = SysFiles.read(dir.resolve("stat"));
            // the name may hold spaces and parentheses: fields start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            char state = f[0].charAt(0);
            double user = Long.parseLong(f[11]) / USER_HZ;
            double system = Long.parseLong(f[12]) / USER_HZ;
            long threads = Long.parseLong(f[17]);
            long start = bootMillis() + Math.round(Long.parseLong(f[19]) * 1000 / USER_HZ);
            long virtual = Long.parseLong(f[20]);
            long resident = residentBytes(dir);
            long[] io = io(dir);
            long[] fds = new long[1];
            long[] sockets = fds(dir, fds);
            return new Sample(pid, start, user, system, state, threads, resident, virtual, io[0], io[1], fds[0],
                    fdLimit(dir), sockets);
        } catch (IOException | RuntimeException e) {
            return null; // exited while we read it
        }
    }

    private long bootMillis() throws IOException {
        if (bootMillis < 0) {
            for (String line : SysFiles.read(proc.resolve("stat")).split("\n")) {
                if (line.startsWith("btime ")) {
                    bootMillis = Long.parseLong(line.substring(6).trim()) * 1000;
                }
            }
        }
        return bootMillis;
    }

    /** VmRSS from status, in bytes (stat's rss is in pages, and Java cannot ask the page size). */
    private static long residentBytes(Path dir) throws IOException {
        String status = SysFiles.read(dir.resolve("status"));
        int i = status.indexOf("VmRSS:");
        if (i < 0) {
            return 0; // a kernel thread or a zombie
        }
        int end = status.indexOf('\n', i);
        String[] f = SysFiles.fields(status.substring(i + 6, end < 0 ? status.length() : end));
        return Long.parseLong(f[0]) * 1024;
    }

    /** read_bytes and write_bytes, or -1 when io is not ours to read (another user's process). */
    private static long[] io(Path dir) {
        long[] out = {-1, -1};
        try {
            for (String line : SysFiles.read(dir.resolve("io")).split("\n")) {
                if (line.startsWith("read_bytes: ")) {
                    out[0] = Long.parseLong(line.substring(12).trim());
                } else if (line.startsWith("write_bytes: ")) {
                    out[1] = Long.parseLong(line.substring(13).trim());
                }
            }
        } catch (IOException e) {
            // permission: leave unknown
        }
        return out;
    }

    /** The soft limit on open files, or -1 when unlimited or unreadable. */
    private static long fdLimit(Path dir) {
        try {
            for (String line : SysFiles.read(dir.resolve("limits")).split("\n")) {
                if (line.startsWith("Max open files")) {
                    String[] f = SysFiles.fields(line.substring("Max open files".length()));
                    return f[0].equals("unlimited") ? -1 : Long.parseLong(f[0]);
                }
            }
        } catch (IOException e) {
            // permission
        }
        return -1;
    }

    /** Counts the open fds into count[0]; @return the inodes of those that are sockets */
    private static long[] fds(Path dir, long[] count) {
        long[] sockets = new long[8];
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("fd"))) {
            for (Path fd : ds) {
                count[0]++;
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    if (n == sockets.length) {
                        sockets = Arrays.copyOf(sockets, n * 2);
                    }
                    sockets[n++] = Long.parseLong(target.substring(8, target.length() - 1));
                }
            }
        } catch (IOException e) {
            // another user's process: its fds need root or CAP_SYS_PTRACE
        }
        return Arrays.copyOf(sockets, n);
    }
}
