package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where ODIN keeps its data when {@code odin.data-dir} is not set: the platform's per-user data
 * directory, whatever the working directory is (the one place this rule is written).
 * <ul>
 * <li>Linux and other Unix: {@code $XDG_DATA_HOME/odin} when XDG_DATA_HOME is an absolute path
 * (the XDG Base Directory spec ignores a relative one), else {@code ~/.local/share/odin};
 * <li>macOS: {@code ~/Library/Application Support/odin};
 * <li>Windows: {@code %LOCALAPPDATA%\odin}, else {@code <home>\AppData\Local\odin}.
 * </ul>
 * Before issue 18 the default was {@code ./data} of the working directory: {@link #legacyWarning}
 * says how to keep using such a directory instead of starting silently with an empty store.
 */
final class PlatformDataDir {

    /** The entries ODIN writes directly under its data directory: how an earlier ./data is recognised. */
    static final Set<String> ODIN_ENTRIES = Set.of("events", "usage", "privacy", "alerting", "traces", "loki-queue",
            "loki-dead-letter.jsonl", "remote-write-queue", "otlp-export-queue", "traces-export-queue",
            "usage-forward-queue");

    private PlatformDataDir() {
    }

    /** The default for this process: its os.name, environment and user.home. */
    static String forThisProcess() {
        return resolve(System.getProperty("os.name", ""), System.getenv(), System.getProperty("user.home", ""));
    }

    /**
     * The default data directory for a platform, from its {@code os.name}, environment and home
     * directory; refuses the start when there is no home directory to put it under.
     */
    static String resolve(String osName, Map<String, String> env, String userHome) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String local = env.getOrDefault("LOCALAPPDATA", "");
            if (windowsAbsolute(local)) {
                return trimSeparator(local, '\\') + "\\odin";
            }
            return trimSeparator(home(userHome, true), '\\') + "\\AppData\\Local\\odin";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return trimSeparator(home(userHome, false), '/') + "/Library/Application Support/odin";
        }
        String xdg = env.getOrDefault("XDG_DATA_HOME", "");
        if (xdg.startsWith("/")) {
            return trimSeparator(xdg, '/') + "/odin";
        }
        return trimSeparator(home(userHome, false), '/') + "/.local/share/odin";
    }

    private static String home(String userHome, boolean windows) {
        String h = userHome == null ? "" : userHome.trim();
        if (windows ? !windowsAbsolute(h) : !h.startsWith("/")) {
            // the JDK says "?" when the account has no home directory (a container's bare UID)
            String setting = Settings.named("odin.data-dir");
            throw new RefusedStartException(setting + " is not set and there is no home directory to put the"
                    + " default data directory under (user.home is \"" + h + "\"): set " + setting
                    + " to a directory ODIN may create and write to");
        }
        return h;
    }

    private static boolean windowsAbsolute(String p) {
        return p.matches("(?i)^[a-z]:[\\\\/].*") || p.startsWith("\\\\");
    }

    /** Without its trailing separators: "/" is "", "C:\\" is "C:", so that the joined path has one. */
    private static String trimSeparator(String p, char separator) {
        int end = p.length();
        while (end > 0 && (p.charAt(end - 1) == separator || p.charAt(end - 1) == '/')) {
            end--;
        }
        return p.substring(0, end);
    }

    /**
     * The WARN for a start on the platform default while {@code legacy} (./data of the working
     * directory, the default before) holds ODIN's data and the new directory has none: empty when
     * there is nothing to say.
     */
    static Optional<String> legacyWarning(Path legacy, Path platform) {
        Path old = legacy.toAbsolutePath().normalize();
        Path now = platform.toAbsolutePath().normalize();
        if (old.equals(now) || !holdsOdinData(old) || hasEntries(now)) {
            return Optional.empty();
        }
        String setting = Settings.named("odin.data-dir");
        return Optional.of(setting + " is not set, so ODIN keeps its data in " + now + " (empty so far), no longer in"
                + " ./data of the working directory; " + old + " holds the data of an earlier start (usage history,"
                + " the privacy hash key, queues) that this start does not use. To keep using it, start with"
                + " --odin.data-dir=" + old + " (or ODIN_DATADIR=" + old + "); or stop ODIN and move its contents"
                + " to " + now + " (docs/laptop.md, \"Upgrade\")");
    }

    private static boolean holdsOdinData(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> ODIN_ENTRIES.contains(p.getFileName().toString()));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasEntries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith(".odin-"));
        } catch (IOException e) {
            return true; // unreadable: not known to be empty, nothing to warn about here
        }
    }
}
