package dev.odin.probes.process;

import dev.odin.probes.HostPlatform;
import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.SysFiles;
import dev.odin.series.LabelSet;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * Process groups (default: the Claude Code CLI and what it starts) with process-exporter's
 * group metrics, plus what process-exporter lacks: per-process detail, TCP connections by
 * state, listening ports, and starts and exits as counters.
 *
 * <p>A cycle first reads only /proc/PID/comm of every process (one small file each), then the
 * command line of the few whose name could match, and only for members reads the details
 * ({@link ProcessReader}) and their sockets. Group counters (CPU, I/O) add each member's increase since
 * the last cycle, so they never go backwards when a member exits.
 */
public final class ProcessProbe implements Probe {

    private static final String[] STATES = {"Running", "Sleeping", "Waiting", "Zombie", "Other"};

    private final Path proc;
    private final ProcessGroups groups;
    private final ProcessReader reader;
    /** Per group, what its counters have added up so far. */
    private final Map<String, GroupTotals> totals = new HashMap<>();
    /** The members of the last cycle, by pid and start time (a reused pid is another process). */
    private Map<ProcessKey, Member> lastMembers = new HashMap<>();
    private boolean firstCycle = true;

    private record ProcessKey(int pid, long startMillis) {
    }

    private record Member(ProcessKey key, String group, ProcessReader.Sample p) {
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

    /** Whether the process table is read through OSHI instead of procfs (hosts without one). */
    private final boolean viaOshi;
    /** OSHI's process table, opened at the first cycle. */
    private OshiProcesses oshi;
    /** Why OSHI cannot read processes here, once it failed to open: the probe is then ABSENT. */
    private String oshiUnsupported;

    public ProcessProbe(Path proc, List<dev.odin.probes.ProbeProperties.Group> groups) {
        this(proc, groups, false);
    }

    private ProcessProbe(Path proc, List<dev.odin.probes.ProbeProperties.Group> groups, boolean viaOshi) {
        this.proc = proc;
        this.groups = new ProcessGroups(groups);
        this.reader = new ProcessReader(proc);
        this.viaOshi = viaOshi;
    }

    /** The same groups and series from OSHI's process table: for macOS, Windows, the BSDs. */
    public static ProcessProbe oshi(List<dev.odin.probes.ProbeProperties.Group> groups) {
        return new ProcessProbe(Path.of("/proc"), groups, true);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public void collect(ProbeReadings r) throws IOException, Probe.AbsentException {
        Map<Integer, ProcessGroups.Group> membership;
        if (viaOshi) {
            openOshi();
            oshi.refresh();
            membership = oshi.match(groups);
        } else {
            String absent = HostPlatform.absentRoot(proc, "procfs");
            if (absent != null) {
                throw new Probe.AbsentException(absent);
            }
            membership = matchGroups(r);
        }
        Map<ProcessKey, Member> members = new HashMap<>();
        for (Map.Entry<Integer, ProcessGroups.Group> e : membership.entrySet()) {
            ProcessReader.Sample p = viaOshi ? oshi.read(e.getKey()) : reader.read(e.getKey());
            if (p == null) {
                continue; // exited since we saw its name
            }
            ProcessKey key = new ProcessKey(e.getKey(), p.startMillis());
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

    private void openOshi() throws Probe.AbsentException {
        if (oshi != null) {
            return;
        }
        if (oshiUnsupported == null) {
            try {
                oshi = new OshiProcesses();
                return;
            } catch (RuntimeException | LinkageError e) {
                oshiUnsupported = "OSHI cannot read this machine's processes (" + System.getProperty("os.name")
                        + "): " + e;
            }
        }
        throw new Probe.AbsentException(oshiUnsupported);
    }

    /** pid -> group for every process in a group, descendants folded in where asked. */
    private Map<Integer, ProcessGroups.Group> matchGroups(ProbeReadings r) throws IOException {
        Map<Integer, ProcessGroups.Group> membership = new TreeMap<>();
        String[] entries = proc.toFile().list();
        if (entries == null) {
            throw new IOException("cannot list " + proc);
        }
        String procDir = proc.toString() + "/";
        for (String name : entries) {
            if (!isPid(name)) {
                continue;
            }
            // a cycle reads this one small file of every process: plain stream, reused buffer
            String comm = readSmall(procDir + name + "/comm");
            if (comm == null || !groups.candidate(comm)) {
                continue;
            }
            try {
                String cmdline = SysFiles.read(proc.resolve(name).resolve("cmdline")).replace('\0', ' ').trim();
                ProcessGroups.Group g = groups.match(comm, cmdline);
                if (g != null) {
                    membership.put(Integer.parseInt(name), g);
                }
            } catch (IOException e) {
                // the process exited between listing and reading: not an error
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

    private final byte[] commBuffer = new byte[64];

    /** @return the file's content without its newline, or null when it is gone */
    private String readSmall(String path) {
        try (FileInputStream in = new FileInputStream(path)) {
            int n = in.read(commBuffer);
            if (n <= 0) {
                return null;
            }
            if (commBuffer[n - 1] == '\n') {
                n--;
            }
            return new String(commBuffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // exited meanwhile
        }
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
            ProcessReader.Sample p = m.p;
            if (before == null || !before.group.equals(m.group)) {
                // new to the group: all of what it has done counts (on the first cycle, the baseline)
                t.userSeconds += p.userSeconds();
                t.systemSeconds += p.systemSeconds();
                t.readBytes += Math.max(0, p.readBytes());
                t.writeBytes += Math.max(0, p.writeBytes());
                if (!firstCycle) {
                    t.starts++;
                }
            } else {
                ProcessReader.Sample q = before.p;
                t.userSeconds += Math.max(0, p.userSeconds() - q.userSeconds());
                t.systemSeconds += Math.max(0, p.systemSeconds() - q.systemSeconds());
                t.readBytes += Math.max(0, p.readBytes() - Math.max(0, q.readBytes()));
                t.writeBytes += Math.max(0, p.writeBytes() - Math.max(0, q.writeBytes()));
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
        boolean fdsKnown = true;
        double worstFdRatio = 0;
        double threads = 0;
        long oldest = Long.MAX_VALUE;
        int[] states = new int[STATES.length];
        for (Member m : members) {
            ProcessReader.Sample p = m.p;
            resident += p.residentBytes();
            virtual += p.virtualBytes();
            long open = p.openFds();
            // negative: not known for this process (OSHI without the permission to count them)
            fdsKnown &= open >= 0;
            fds += Math.max(0, open);
            long limit = p.fdLimit();
            if (limit > 0 && open >= 0) {
                worstFdRatio = Math.max(worstFdRatio, (double) open / limit);
            }
            threads += p.threads();
            oldest = Math.min(oldest, p.startMillis());
            states[stateIndex(p.state())]++;
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
        if (fdsKnown) {
            // a sum or worst ratio missing a process's share would read lower than it is: left out
            r.gauge("namedprocess_namegroup_open_filedesc", "number of open file descriptors for this group", fds, g);
            r.gauge("namedprocess_namegroup_worst_fd_ratio",
                    "the worst (closest to 1) ratio between open fds and max fds among all procs in this group",
                    worstFdRatio, g);
        }
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
        ProcessReader.Sample p = m.p;
        String pid = Integer.toString(m.key.pid());
        long start = p.startMillis();
        LabelSet l = LabelSet.of("groupname", group, "pid", pid);
        r.counter("odin_process_cpu_seconds_total", "CPU time of one process in a group", p.userSeconds(),
                start, LabelSet.of("groupname", group, "pid", pid, "mode", "user"));
        r.counter("odin_process_cpu_seconds_total", "CPU time of one process in a group", p.systemSeconds(),
                start, LabelSet.of("groupname", group, "pid", pid, "mode", "system"));
        r.gauge("odin_process_resident_memory_bytes", "Resident memory of one process in a group",
                p.residentBytes(), l);
        r.gauge("odin_process_virtual_memory_bytes", "Virtual memory of one process in a group", p.virtualBytes(), l);
        r.gauge("odin_process_threads", "Threads of one process in a group", p.threads(), l);
        if (p.openFds() >= 0) {
            r.gauge("odin_process_open_fds", "Open file descriptors of one process in a group", p.openFds(), l);
        }
        r.gauge("odin_process_start_time_seconds", "When one process in a group started, seconds since 1970",
                start / 1000.0, l);
    }

    /** TCP connections by state per group, and each member's listening ports. */
    private void sockets(ProbeReadings r, Map<String, List<Member>> byGroup) {
        Map<String, int[]> byState = new HashMap<>();
        for (String group : byGroup.keySet()) {
            byState.put(group, new int[TcpTable.STATES.length]);
        }
        Set<String> listening = new HashSet<>();
        SocketSink sink = (m, state, port, protocol) -> {
            byState.get(m.group)[state < TcpTable.STATES.length ? state : 0]++;
            if (state == TcpTable.LISTEN && listening.add(m.key.pid() + "/" + port + "/" + protocol)) {
                r.gauge("odin_process_listening_port", "A TCP port a process in a group listens on", 1,
                        LabelSet.of("groupname", m.group, "pid", Integer.toString(m.key.pid()), "port",
                                Integer.toString(port), "protocol", protocol));
            }
        };
        if (viaOshi) {
            oshiSockets(r, byGroup, sink);
        } else {
            procfsSockets(r, byGroup, sink);
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

    private interface SocketSink {
        void socket(Member owner, int state, int localPort, String protocol);
    }

    /** OSHI's connection list (it reads every process's sockets): only when the groups have members. */
    private void oshiSockets(ProbeReadings r, Map<String, List<Member>> byGroup, SocketSink sink) {
        Map<Integer, Member> owners = new HashMap<>();
        byGroup.values().forEach(ms -> ms.forEach(m -> owners.put(m.key.pid(), m)));
        if (owners.isEmpty()) {
            return;
        }
        try {
            oshi.tcp(owners.keySet(), (pid, state, port, protocol) -> sink.socket(owners.get(pid), state, port,
                    protocol));
        } catch (RuntimeException | LinkageError e) {
            r.error("tcp sockets (OSHI): " + e);
        }
    }

    private void procfsSockets(ProbeReadings r, Map<String, List<Member>> byGroup, SocketSink sink) {
        Map<Long, Member> owners = new HashMap<>();
        Map<String, Path> namespaces = new LinkedHashMap<>();
        for (List<Member> members : byGroup.values()) {
            for (Member m : members) {
                if (m.p.socketInodes().length == 0) {
                    continue;
                }
                for (long inode : m.p.socketInodes()) {
                    owners.put(inode, m);
                }
                // the kernel builds net/tcp by walking its whole socket table (milliseconds on a
                // large machine), so it is read once per network namespace, and only when needed
                Path pidDir = proc.resolve(Integer.toString(m.key.pid()));
                String ns = namespace(pidDir);
                namespaces.putIfAbsent(ns == null ? "pid:" + m.key.pid() : ns, pidDir.resolve("net"));
            }
        }
        for (Path net : namespaces.values()) {
            try {
                TcpTable.read(net, owners::containsKey, (inode, state, port, protocol) -> sink.socket(
                        owners.get(inode), state, port, protocol));
            } catch (IOException | RuntimeException e) {
                r.error("tcp sockets in " + net + ": " + e);
            }
        }
    }

    private static String namespace(Path pidDir) {
        try {
            return Files.readSymbolicLink(pidDir.resolve("ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** process-exporter's states from the kernel's: R, S, D (uninterruptible sleep), Z. */
    private static int stateIndex(char s) {
        switch (s) {
            case 'R':
                return 0;
            case 'S':
                return 1;
            case 'D':
                return 2;
            case 'Z':
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
