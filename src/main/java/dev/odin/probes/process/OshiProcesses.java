package dev.odin.probes.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import oshi.SystemInfo;
import oshi.software.os.InternetProtocolStats;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * The process table through OSHI, for hosts without procfs (macOS, Windows, the BSDs): the same
 * groups, samples and TCP sockets {@link ProcessProbe} reads from /proc on Linux. OSHI lists every
 * process in full (about 0.4 ms each on Linux, less on macOS), so this costs more per cycle than
 * procfs's one small file per process; docs/probes.md says what each platform gets.
 */
final class OshiProcesses {

    /** One TCP socket of a process: the kernel's state number (TcpTable.STATES), local port, tcp or tcp6. */
    interface SocketVisitor {
        void socket(int pid, int state, int localPort, String protocol);
    }

    private final OperatingSystem os;
    private Map<Integer, OSProcess> byPid = Map.of();

    /** @throws RuntimeException or LinkageError when OSHI does not support this operating system */
    OshiProcesses() {
        this.os = new SystemInfo().getOperatingSystem();
    }

    /** Takes this cycle's snapshot of the process table. */
    void refresh() {
        Map<Integer, OSProcess> all = new HashMap<>();
        for (OSProcess p : os.getProcesses()) {
            all.put(p.getProcessID(), p);
        }
        byPid = all;
    }

    /** pid -> group for every process in a group, descendants folded in where asked (as procfs's). */
    Map<Integer, ProcessGroups.Group> match(ProcessGroups groups) {
        Map<Integer, ProcessGroups.Group> membership = new TreeMap<>();
        Map<Integer, List<Integer>> children = new HashMap<>();
        for (OSProcess p : byPid.values()) {
            children.computeIfAbsent(p.getParentProcessID(), k -> new ArrayList<>()).add(p.getProcessID());
            String name = p.getName() == null ? "" : p.getName();
            if (!groups.candidate(name)) {
                continue;
            }
            String cmdline = p.getCommandLine() == null ? "" : p.getCommandLine().replace('\0', ' ').trim();
            ProcessGroups.Group g = groups.match(name, cmdline);
            if (g != null) {
                membership.put(p.getProcessID(), g);
            }
        }
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        membership.forEach((pid, g) -> {
            if (g.children()) {
                todo.add(pid);
            }
        });
        java.util.HashSet<Integer> seen = new java.util.HashSet<>(membership.keySet());
        while (!todo.isEmpty()) {
            int parent = todo.poll();
            for (int child : children.getOrDefault(parent, List.of())) {
                if (child != parent && seen.add(child)) {
                    membership.put(child, membership.get(parent));
                    todo.add(child);
                }
            }
        }
        return membership;
    }

    /** @return the process as the snapshot has it, or null when it was not there */
    ProcessReader.Sample read(int pid) {
        OSProcess p = byPid.get(pid);
        if (p == null || p.getState() == OSProcess.State.INVALID) {
            return null;
        }
        // OSHI says -1 where it does not know (no permission): the probe leaves the fd series out
        long open = p.getOpenFiles();
        return new ProcessReader.Sample(pid, p.getStartTime(), p.getUserTime() / 1000.0, p.getKernelTime() / 1000.0,
                state(p.getState()), p.getThreadCount(), p.getResidentMemory(), p.getVirtualSize(),
                p.getBytesRead(), p.getBytesWritten(), open, p.getSoftOpenFileLimit(), new long[0]);
    }

    /** The TCP sockets of the given processes. */
    void tcp(Set<Integer> pids, SocketVisitor visitor) {
        for (InternetProtocolStats.IPConnection c : os.getInternetProtocolStats().getConnections()) {
            String type = c.getType();
            if (type == null || !type.startsWith("tcp") || !pids.contains(c.getowningProcessId())) {
                continue;
            }
            visitor.socket(c.getowningProcessId(), kernelState(c.getState()), c.getLocalPort(),
                    type.equals("tcp6") ? "tcp6" : "tcp");
        }
    }

    /** OSHI's states as the kernel's state numbers (TcpTable.STATES). */
    static int kernelState(InternetProtocolStats.TcpState s) {
        if (s == null) {
            return 0;
        }
        switch (s) {
            case ESTABLISHED:
                return 1;
            case SYN_SENT:
                return 2;
            case SYN_RECV:
                return 3;
            case FIN_WAIT_1:
                return 4;
            case FIN_WAIT_2:
                return 5;
            case TIME_WAIT:
                return 6;
            case CLOSED:
                return 7;
            case CLOSE_WAIT:
                return 8;
            case LAST_ACK:
                return 9;
            case LISTEN:
                return TcpTable.LISTEN;
            case CLOSING:
                return 11;
            default:
                return 0;
        }
    }

    /** OSHI's process states as the kernel's letters the probe counts. */
    private static char state(OSProcess.State s) {
        switch (s) {
            case RUNNING:
                return 'R';
            case SLEEPING:
                return 'S';
            case WAITING:
                return 'D';
            case ZOMBIE:
                return 'Z';
            default:
                return '?';
        }
    }
}
