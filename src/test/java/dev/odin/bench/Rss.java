package dev.odin.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident set size, from /proc (Linux). */
final class Rss {

    private Rss() {
    }

    /** @return MB, or -1 when it cannot be read */
    static long megabytes(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
