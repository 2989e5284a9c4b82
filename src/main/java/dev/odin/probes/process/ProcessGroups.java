package dev.odin.probes.process;

import dev.odin.probes.ProbeProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The configured groups, compiled: which process (by name, then command line) belongs where. */
final class ProcessGroups {

    record Group(String name, Pattern comm, Pattern cmdline, boolean children) {
    }

    private final List<Group> groups = new ArrayList<>();
    private final Pattern anyComm;

    ProcessGroups(List<ProbeProperties.Group> configured) {
        StringBuilder any = new StringBuilder();
        for (ProbeProperties.Group g : configured) {
            Pattern cmd = g.getCmdline() == null || g.getCmdline().isEmpty() ? null : Pattern.compile(g.getCmdline());
            groups.add(new Group(g.getName(), Pattern.compile(g.getComm()), cmd, g.isChildren()));
            any.append(any.length() == 0 ? "" : "|").append("(?:").append(g.getComm()).append(')');
        }
        anyComm = Pattern.compile(any.length() == 0 ? "(?!)" : any.toString());
    }

    List<Group> all() {
        return groups;
    }

    /** The cheap first filter: could a process of this name belong to any group? */
    boolean candidate(String comm) {
        return anyComm.matcher(comm).find();
    }

    /** @return the first group the process matches, or null */
    Group match(String comm, String cmdline) {
        for (Group g : groups) {
            if (g.comm().matcher(comm).find() && (g.cmdline() == null || g.cmdline().matcher(cmdline).find())) {
                return g;
            }
        }
        return null;
    }
}
