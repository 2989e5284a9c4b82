package dev.odin.probes;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The probes that read the machine ({@code odin.probes.*}). Each probe's route reads its
 * {@code enabled} and {@code period}; docs/probes.md says what each one reads.
 */
@ConfigurationProperties(prefix = "odin.probes")
public class ProbeProperties implements Validator {

    /** Where procfs is mounted: /host/proc when the host's is mounted into a container. */
    private String procRoot = "/proc";

    /** Where sysfs is mounted: /host/sys in a container. */
    private String sysRoot = "/sys";

    /** Prefix for mount points when reading filesystem sizes (node_exporter's --path.rootfs). */
    private String rootfs = "/";

    /**
     * Where the host, process and battery probes read the machine: {@code auto} reads procfs
     * and sysfs on Linux and OSHI's cross-platform readings elsewhere (macOS, Windows, BSD);
     * {@code procfs} and {@code oshi} force one (docs/probes.md says which series each gives).
     */
    private Source source = Source.AUTO;

    /** Where the probes read the machine (docs/probes.md#platforms). */
    public enum Source {
        /** procfs and sysfs on Linux, OSHI on every other operating system. */
        AUTO,
        /** procfs and sysfs (Linux, or a Linux host's /proc and /sys mounted into a container). */
        PROCFS,
        /** OSHI's readings, on any operating system OSHI supports. */
        OSHI;

        /** @return whether the probes read procfs and sysfs on an operating system that is or is not Linux */
        public boolean readsProcfs(boolean linux) {
            return this == PROCFS || (this == AUTO && linux);
        }
    }

    private final Host host = new Host();

    private final Gpu gpu = new Gpu();

    private final Power power = new Power();

    private final Process process = new Process();

    public String getProcRoot() { return procRoot; }

    public void setProcRoot(String procRoot) { this.procRoot = procRoot; }

    public String getSysRoot() { return sysRoot; }

    public void setSysRoot(String sysRoot) { this.sysRoot = sysRoot; }

    public String getRootfs() { return rootfs; }

    public void setRootfs(String rootfs) { this.rootfs = rootfs; }

    public Source getSource() { return source; }

    public void setSource(Source source) { this.source = source; }

    public Host getHost() { return host; }

    public Gpu getGpu() { return gpu; }

    public Power getPower() { return power; }

    public Process getProcess() { return process; }

    // Each probe declares its own enabled and period (no shared base class holding them): the
    // default is then a field initialiser the configuration processor writes into the metadata.

    /** The host probe: CPU, memory, load, filesystems, disks, network, temperatures. */
    public static class Host {
        /** Whether the host probe's route starts. */
        private boolean enabled = true;

        /** How often the host probe reads. */
        private Duration period = Duration.ofSeconds(15);

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public Duration getPeriod() { return period; }

        public void setPeriod(Duration period) { this.period = period; }

        void check(SettingChecks c) {
            c.notNull("period", period);
        }
    }

    /** The power probe: RAPL energy, batteries and AC adapters. */
    public static class Power {
        /** Whether the power probe's route starts. */
        private boolean enabled = true;

        /** How often the power probe reads. */
        private Duration period = Duration.ofSeconds(15);

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public Duration getPeriod() { return period; }

        public void setPeriod(Duration period) { this.period = period; }

        void check(SettingChecks c) {
            c.notNull("period", period);
        }
    }

    /** The NVIDIA GPU probe. */
    public static class Gpu {
        /** Whether the GPU probe's route starts. */
        private boolean enabled = true;

        /** How often the GPU probe reads. */
        private Duration period = Duration.ofSeconds(5);

        /** The nvidia-smi binary: a name looked up on PATH, or a path. */
        private String command = "nvidia-smi";

        /** How long one nvidia-smi run may take before it is killed. */
        private Duration timeout = Duration.ofSeconds(10);

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public Duration getPeriod() { return period; }

        public void setPeriod(Duration period) { this.period = period; }

        public String getCommand() { return command; }

        public void setCommand(String command) { this.command = command; }

        public Duration getTimeout() { return timeout; }

        public void setTimeout(Duration timeout) { this.timeout = timeout; }

        void check(SettingChecks c) {
            c.notNull("period", period).notBlank("command", command).notNull("timeout", timeout);
        }
    }

    /** The process probe and its groups. */
    public static class Process {
        /** Whether the process probe's route starts. */
        private boolean enabled = true;

        /** How often the process probe reads. */
        private Duration period = Duration.ofSeconds(15);

        /** Groups, first match wins; the default is the Claude Code CLI. */
        private List<Group> groups = new ArrayList<>(List.of(Group.claude()));

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public Duration getPeriod() { return period; }

        public void setPeriod(Duration period) { this.period = period; }

        public List<Group> getGroups() { return groups; }

        public void setGroups(List<Group> groups) { this.groups = groups; }

        void check(SettingChecks c) {
            c.notNull("period", period).each("groups", groups, Group::check);
        }
    }

    /** One process group: processes whose name (and command line, when set) match. */
    public static class Group {
        /** The groupname label. */
        private String name;

        /**
         * Regex on the process name (/proc/PID/comm, at most 15 characters). Only processes
         * whose name matches some group are looked at further, which keeps a cycle cheap.
         */
        private String comm;

        /** Optional regex the command line (arguments joined by spaces) must also contain. */
        private String cmdline = "";

        /** Count the group members' descendants (shells, MCP servers, tools) in the group too. */
        private boolean children = true;

        static Group claude() {
            Group g = new Group();
            g.name = "claude";
            // the CLI sets its process title to "claude"; started as "node .../claude" it is node
            g.comm = "^(claude|node)$";
            g.cmdline = "(^|/)claude(\\s|$)";
            return g;
        }

        public String getName() { return name; }

        public void setName(String name) { this.name = name; }

        public String getComm() { return comm; }

        public void setComm(String comm) { this.comm = comm; }

        public String getCmdline() { return cmdline; }

        public void setCmdline(String cmdline) { this.cmdline = cmdline; }

        public boolean isChildren() { return children; }

        public void setChildren(boolean children) { this.children = children; }

        void check(SettingChecks c) {
            c.notBlank("name", name).notBlank("comm", comm);
        }
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == ProbeProperties.class;
    }

    /** Run by ConfigurationPropertiesBinder once the whole group is bound; nested groups check their own fields. */
    @Override
    public void validate(Object target, Errors errors) {
        SettingChecks c = new SettingChecks(errors);
        c.notBlank("procRoot", procRoot).notBlank("sysRoot", sysRoot).notBlank("rootfs", rootfs)
                .notNull("source", source);
        host.check(c.in("host"));
        gpu.check(c.in("gpu"));
        power.check(c.in("power"));
        process.check(c.in("process"));
    }
}
