package dev.odin.probes.process;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import oshi.software.os.OSProcess;

/**
 * Process groups (default: the Claude Code CLI and what it starts) with process-exporter's
 * group metrics, plus what process-exporter lacks: per-process detail, TCP connections by
 * state, listening ports, and starts and exits as counters.
 *
 * <p>A cycle first reads only /proc/PID/comm of every process (one small file each), then the
 * command line of the few whose name could match, and only for members asks OSHI for the
 * details and reads their sockets. Group counters (CPU, I/O) add each member's increase since
 * the last cycle, so they never go backwards when a member exits.
 */
public final class ProcessProbe implements Probe {

    private static final String[] STATES = {"Running", "Sleeping", "Waiting", "Zombie", "Other"};

    private final Path proc;
    private final ProcessGroups groups;
    private final IntFunction<OSProcess> details;
    /** Per group, what its counters have added up so far. */
    private final Map<String, GroupTotals> totals = new HashMap<>();
    /** The members of the last cycle, by pid and start time (a reused pid is another process). */
    private Map<ProcessKey, Member> lastMembers = new HashMap<>();
    private boolean firstCycle = true;

    private record ProcessKey(int pid, long startMillis) {
    }

    private static final class Member {
        final ProcessKey key;
        final String group;
        final OSProcess p;

        Member(ProcessKey key, String group, OSProcess p) {
            this.key = key;
            this.group = group;
            this.p = p;
        }
    }

    private static final class GroupTotals {
        double userSeconds;
        double systemSeconds;
        double readBytes;
        double writeBytes;
        long starts;
        long exits;
        final long createdMillis;

        GroupTotals(long createdMillis) {
            this.createdMillis = createdMillis;
        }
    }

    /**
     * @param details OSHI's view of one process (null when it is gone), from the same procfs
     */
    public ProcessProbe(Path proc, List<dev.odin.config.ProbeProperties.Group> groups, IntFunction<OSProcess> details) {
        this.proc = proc;
        this.groups = new ProcessGroups(groups);
        this.details = details;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public void collect(ProbeReadings r) throws IOException {
        Map<Integer, ProcessGroups.Group> membership = matchGroups(r);
        Map<ProcessKey, Member> members = new HashMap<>();
        for (Map.Entry<Integer, ProcessGroups.Group> e : membership.entrySet()) {
            OSProcess p = details.apply(e.getKey());
            if (p == null || p.getState() == OSProcess.State.INVALID) {
                continue; // exited since we saw its name
            }
            ProcessKey key = new ProcessKey(e.getKey(), p.getStartTime());
            members.put(key, new Member(key, e.getValue().name(), p));
        }
        long now = System.currentTimeMillis();
        for (ProcessGroups.Group g : groups.all()) {
            totals.computeIfAbsent(g.name(), n -> new GroupTotals(now));
        }
        accumulate(members);
        Map<String, List<Member>> byGroup = new LinkedHashMap<>();
        for (ProcessGroups.Group g : groups.all()) {
            byGroup.put(g.name(), new ArrayList<>());
        }
        for (Member m : members.values()) {
            byGroup.get(m.group).add(m);
        }
        for (Map.Entry<String, List<Member>> e : byGroup.entrySet()) {
            writeGroup(r, e.getKey(), e.getValue());
        }
        sockets(r, byGroup);
        lastMembers = members;
        firstCycle = false;
    }

    /** pid -> group for every process in a group, descendants folded in where asked. */
    private Map<Integer, ProcessGroups.Group> matchGroups(ProbeReadings r) throws IOException {
        Map<Integer, ProcessGroups.Group> membership = new TreeMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!isPid(name)) {
                    continue;
                }
                try {
                    String comm = SysFiles.readLine(dir.resolve("comm"));
                    if (comm == null || !groups.candidate(comm)) {
                        continue;
                    }
                    String cmdline = SysFiles.read(dir.resolve("cmdline")).replace('\0', ' ').trim();
                    ProcessGroups.Group g = groups.match(comm, cmdline);
                    if (g != null) {
                        membership.put(Integer.parseInt(name), g);
                    }
                } catch (IOException e) {
                    // the process exited between listing and reading: not an error
                }
            }
        }
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        membership.forEach((pid, g) -> {
            if (g.children()) {
                todo.add(pid);
            }
        });
        Set<Integer> seen = new HashSet<>(membership.keySet());
        while (!todo.isEmpty()) {
            int parent = todo.poll();
            ProcessGroups.Group g = membership.get(parent);
            for (int child : children(parent)) {
                if (seen.add(child)) {
                    membership.put(child, g);
                    todo.add(child);
                }
            }
        }
        return membership;
    }

    /** The kernel's own list of a process's children, one file per thread. */
    private List<Integer> children(int pid) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(pid + "/task"))) {
            for (Path task : tasks) {
                String s = SysFiles.read(task.resolve("children")).trim();
                if (!s.isEmpty()) {
                    for (String c : s.split(" ")) {
                        out.add(Integer.parseInt(c));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited, or a kernel without CONFIG_PROC_CHILDREN: no children to fold in
        }
        return out;
    }

    private void accumulate(Map<ProcessKey, Member> members) {
        for (Member m : members.values()) {
            GroupTotals t = totals.get(m.group);
            Member before = lastMembers.get(m.key);
            OSProcess p = m.p;
            if (before == null || !before.group.equals(m.group)) {
                // new to the group: all of what it has done counts (on the first cycle, the baseline)
                t.userSeconds += p.getUserTime() / 1000.0;
                t.systemSeconds += p.getKernelTime() / 1000.0;
                t.readBytes += Math.max(0, p.getBytesRead());
                t.writeBytes += Math.max(0, p.getBytesWritten());
                if (!firstCycle) {
                    t.starts++;
                }
            } else {
                OSProcess q = before.p;
                t.userSeconds += Math.max(0, p.getUserTime() - q.getUserTime()) / 1000.0;
                t.systemSeconds += Math.max(0, p.getKernelTime() - q.getKernelTime()) / 1000.0;
                t.readBytes += Math.max(0, p.getBytesRead() - Math.max(0, q.getBytesRead()));
                t.writeBytes += Math.max(0, p.getBytesWritten() - Math.max(0, q.getBytesWritten()));
            }
        }
        for (Member gone : lastMembers.values()) {
            Member now = members.get(gone.key);
            if (now == null || !now.group.equals(gone.group)) {
                totals.get(gone.group).exits++;
            }
        }
    }

    private void writeGroup(ProbeReadings r, String group, List<Member> members) {
        GroupTotals t = totals.get(group);
        LabelSet g = LabelSet.of("groupname", group);
        long created = t.createdMillis;
        double resident = 0;
        double virtual = 0;
        double fds = 0;
        double worstFdRatio = 0;
        double threads = 0;
        long oldest = Long.MAX_VALUE;
        int[] states = new int[STATES.length];
        for (Member m : members) {
            OSProcess p = m.p;
            resident += p.getResidentMemory();
            virtual += p.getVirtualSize();
            long open = Math.max(0, p.getOpenFiles());
            fds += open;
            long limit = p.getSoftOpenFileLimit();
            if (limit > 0) {
                worstFdRatio = Math.max(worstFdRatio, (double) open / limit);
            }
            threads += p.getThreadCount();
            oldest = Math.min(oldest, p.getStartTime());
            states[stateIndex(p.getState())]++;
            writeProcess(r, group, m);
        }
        r.gauge("namedprocess_namegroup_num_procs", "number of processes in this group", members.size(), g);
        r.counter("namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds", t.userSeconds, created,
                LabelSet.of("groupname", group, "mode", "user"));
        r.counter("namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds", t.systemSeconds, created,
                LabelSet.of("groupname", group, "mode", "system"));
        r.counter("namedprocess_namegroup_read_bytes_total", "number of bytes read by this group", t.readBytes, created,
                g);
        r.counter("namedprocess_namegroup_write_bytes_total", "number of bytes written by this group", t.writeBytes,
                created, g);
        r.gauge("namedprocess_namegroup_memory_bytes", "number of bytes of memory in use", resident,
                LabelSet.of("groupname", group, "memtype", "resident"));
        r.gauge("namedprocess_namegroup_memory_bytes", "number of bytes of memory in use", virtual,
                LabelSet.of("groupname", group, "memtype", "virtual"));
        r.gauge("namedprocess_namegroup_open_filedesc", "number of open file descriptors for this group", fds, g);
        r.gauge("namedprocess_namegroup_worst_fd_ratio",
                "the worst (closest to 1) ratio between open fds and max fds among all procs in this group",
                worstFdRatio, g);
        r.gauge("namedprocess_namegroup_num_threads", "Number of threads", threads, g);
        for (int i = 0; i < STATES.length; i++) {
            r.gauge("namedprocess_namegroup_states", "Number of processes in states Running, Sleeping, Waiting, Zombie,"
                    + " or Other", states[i], LabelSet.of("groupname", group, "state", STATES[i]));
        }
        if (!members.isEmpty()) {
            r.gauge("namedprocess_namegroup_oldest_start_time_seconds",
                    "start time in seconds since 1970/01/01 of oldest process in group", oldest / 1000.0, g);
        }
        r.counter("odin_process_starts_total", "Processes that joined the group (started) since ODIN began watching",
                t.starts, created, g);
        r.counter("odin_process_exits_total", "Processes that left the group (exited) since ODIN began watching",
                t.exits, created, g);
    }

    private static void writeProcess(ProbeReadings r, String group, Member m) {
        OSProcess p = m.p;
        String pid = Integer.toString(m.key.pid());
        long start = p.getStartTime();
        LabelSet l = LabelSet.of("groupname", group, "pid", pid);
        r.counter("odin_process_cpu_seconds_total", "CPU time of one process in a group", p.getUserTime() / 1000.0,
                start, LabelSet.of("groupname", group, "pid", pid, "mode", "user"));
        r.counter("odin_process_cpu_seconds_total", "CPU time of one process in a group", p.getKernelTime() / 1000.0,
                start, LabelSet.of("groupname", group, "pid", pid, "mode", "system"));
        r.gauge("odin_process_resident_memory_bytes", "Resident memory of one process in a group",
                p.getResidentMemory(), l);
        r.gauge("odin_process_virtual_memory_bytes", "Virtual memory of one process in a group", p.getVirtualSize(), l);
        r.gauge("odin_process_threads", "Threads of one process in a group", p.getThreadCount(), l);
        r.gauge("odin_process_open_fds", "Open file descriptors of one process in a group",
                Math.max(0, p.getOpenFiles()), l);
        r.gauge("odin_process_start_time_seconds", "When one process in a group started, seconds since 1970",
                start / 1000.0, l);
    }

    /** TCP connections by state per group, and each member's listening ports. */
    private void sockets(ProbeReadings r, Map<String, List<Member>> byGroup) {
        Map<Long, Member> owners = new HashMap<>();
        Map<String, Path> namespaces = new LinkedHashMap<>();
        for (List<Member> members : byGroup.values()) {
            for (Member m : members) {
                Path pidDir = proc.resolve(Integer.toString(m.key.pid()));
                socketInodes(pidDir, m, owners);
                String ns = namespace(pidDir);
                namespaces.putIfAbsent(ns == null ? "pid:" + m.key.pid() : ns, pidDir.resolve("net"));
            }
        }
        Map<String, int[]> byState = new HashMap<>();
        for (String group : byGroup.keySet()) {
            byState.put(group, new int[TcpTable.STATES.length]);
        }
        Set<String> listening = new HashSet<>();
        for (Path net : namespaces.values()) {
            try {
                TcpTable.read(net, owners::containsKey, (inode, state, port, protocol) -> {
                    Member m = owners.get(inode);
                    byState.get(m.group)[state < TcpTable.STATES.length ? state : 0]++;
                    if (state == TcpTable.LISTEN
                            && listening.add(m.key.pid() + "/" + port + "/" + protocol)) {
                        r.gauge("odin_process_listening_port", "A TCP port a process in a group listens on", 1,
                                LabelSet.of("groupname", m.group, "pid", Integer.toString(m.key.pid()), "port",
                                        Integer.toString(port), "protocol", protocol));
                    }
                });
            } catch (IOException | RuntimeException e) {
                r.error("tcp sockets in " + net + ": " + e);
            }
        }
        for (Map.Entry<String, int[]> e : byState.entrySet()) {
            int[] counts = e.getValue();
            for (int s = 1; s < counts.length; s++) {
                if (counts[s] > 0 || s == 1 || s == TcpTable.LISTEN) {
                    r.gauge("odin_process_tcp_connections", "TCP sockets of a group's processes, by state", counts[s],
                            LabelSet.of("groupname", e.getKey(), "state", TcpTable.stateName(s)));
                }
            }
        }
    }

    private static void socketInodes(Path pidDir, Member m, Map<Long, Member> owners) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    owners.put(Long.parseLong(target.substring(8, target.length() - 1)), m);
                }
            }
        } catch (IOException e) {
            // another user's process (needs root or CAP_SYS_PTRACE), or exited: no sockets seen
        }
    }

    private static String namespace(Path pidDir) {
        try {
            return Files.readSymbolicLink(pidDir.resolve("ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static int stateIndex(OSProcess.State s) {
        switch (s) {
            case RUNNING:
                return 0;
            case SLEEPING:
                return 1;
            case WAITING:
                return 2;
            case ZOMBIE:
                return 3;
            default:
                return 4;
        }
    }

    private static boolean isPid(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
