package dev.odin.probes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What kind of machine the probes run on, and whether it has a procfs where one is expected. */
public final class HostPlatform {

    private HostPlatform() {
    }

    /** @return whether the JVM runs on Linux (procfs and sysfs are Linux's) */
    public static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /**
     * A root that does not exist, or an empty directory (an unmounted mount point in a
     * container, a Mac's non-existent /proc), has nothing for a probe to read: it is absent.
     * A root with something in it is a procfs (or sysfs), and a file missing there is a failure.
     *
     * @return why the root holds nothing to read, or null when it holds something
     */
    public static String absentRoot(Path root, String what) {
        if (Files.exists(root.resolve("stat"))) {
            return null; // procfs's /proc/stat: the common case, one stat(2) where a listing of /proc reads every pid
        }
        if (!Files.isDirectory(root)) {
            return "no " + what + " at " + root + " (not Linux, or the host's " + what + " is not mounted there)";
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            if (!ds.iterator().hasNext()) {
                return "no " + what + " at " + root + ": the directory is empty (the host's " + what
                        + " is not mounted there)";
            }
        } catch (IOException e) {
            return null; // there is something, only not listable: reading it will say what is wrong
        }
        return null;
    }
}
