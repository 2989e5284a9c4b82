package dev.odin.usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The repository a transcript's {@code cwd} belongs to: the normalised remote of the git
 * checkout it is in ({@code origin}, else the first remote; {@code git@github.com:org/repo.git}
 * and {@code https://user:token@github.com/org/repo} are both {@code github.com/org/repo}, never
 * with credentials), the checkout's top directory when it has no remote, or the directory itself
 * when it is no git checkout. Read from {@code .git/config} of the directory or its parents
 * (a {@code .git} file, as in worktrees and submodules, is followed to its git directory), no
 * {@code git} process. Answers are cached per directory, at most {@code maxDirectories} of them
 * (least recently used go first), and looked at again after {@link #REFRESH_NANOS} so that a
 * remote added later is seen.
 */
public final class GitRepositories {

    /** How long an answer is reused before the directory is looked at again. */
    static final long REFRESH_NANOS = 60_000_000_000L;
    /** A git config larger than this is not read (the directory counts as having no remote). */
    static final int MAX_CONFIG_BYTES = 1024 * 1024;
    /** Longest repository name kept; longer ones are cut. */
    static final int MAX_LENGTH = 256;

    private record Cached(String repository, long at) {
    }

    private final int maxDirectories;
    private final LongSupplier nanos;
    private final Map<String, Cached> cache;

    public GitRepositories(int maxDirectories) {
        this(maxDirectories, System::nanoTime);
    }

    GitRepositories(int maxDirectories, LongSupplier nanos) {
        this.maxDirectories = maxDirectories;
        this.nanos = nanos;
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > GitRepositories.this.maxDirectories;
            }
        };
    }

    /** @return the repository of {@code cwd}, or null when cwd is null or empty */
    public synchronized String repository(String cwd) {
        if (cwd == null || cwd.isEmpty()) {
            return null;
        }
        long now = nanos.getAsLong();
        Cached c = cache.get(cwd);
        if (c != null && now - c.at() < REFRESH_NANOS) {
            return c.repository();
        }
        String repository = clean(resolve(cwd));
        cache.put(cwd, new Cached(repository, now));
        return repository;
    }

    /** Directories whose answer is cached. */
    public synchronized int cached() {
        return cache.size();
    }

    private static String resolve(String cwd) {
        Path start;
        try {
            start = Path.of(cwd);
        } catch (InvalidPathException e) {
            return cwd;
        }
        if (!start.isAbsolute()) {
            return cwd; // not a place on this machine
        }
        for (Path d = start.normalize(); d != null; d = d.getParent()) {
            Path config = configOf(d.resolve(".git"));
            if (config != null) {
                String url = remoteUrl(config);
                return url == null ? d.toString() : normalise(url);
            }
        }
        return cwd;
    }

    /** The config file of a checkout's {@code .git} (a directory, or a file naming one); null when none. */
    private static Path configOf(Path dotGit) {
        try {
            if (Files.isDirectory(dotGit)) {
                Path config = dotGit.resolve("config");
                return Files.isRegularFile(config) ? config : null;
            }
            if (!Files.isRegularFile(dotGit) || Files.size(dotGit) > 4096) {
                return null;
            }
            String text = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
            if (!text.startsWith("gitdir:")) {
                return null;
            }
            Path gitDir = dotGit.getParent().resolve(text.substring("gitdir:".length()).strip()).normalize();
            // a worktree's git directory names the repository's own in commondir
            Path commonDir = gitDir.resolve("commondir");
            if (Files.isRegularFile(commonDir) && Files.size(commonDir) <= 4096) {
                gitDir = gitDir.resolve(Files.readString(commonDir, StandardCharsets.UTF_8).strip()).normalize();
            }
            Path config = gitDir.resolve("config");
            return Files.isRegularFile(config) ? config : null;
        } catch (IOException | InvalidPathException | SecurityException e) {
            return null;
        }
    }

    /** The url of remote "origin", else of the first remote with one; null when none. */
    static String remoteUrl(Path config) {
        String text;
        try (InputStream in = Files.newInputStream(config)) {
            byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                return null;
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return null;
        }
        return remoteUrlOf(text);
    }

    static String remoteUrlOf(String config) {
        String remote = null;
        String first = null;
        for (String raw : config.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                remote = section(line);
                continue;
            }
            if (remote == null) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0 || !line.substring(0, eq).strip().equalsIgnoreCase("url")) {
                continue;
            }
            String url = value(line.substring(eq + 1));
            if (url.isEmpty()) {
                continue;
            }
            if (remote.equals("origin")) {
                return url;
            }
            if (first == null) {
                first = url;
            }
        }
        return first;
    }

    /** The remote name of a {@code [remote "name"]} header; null for any other section. */
    private static String section(String line) {
        int end = line.indexOf(']');
        String inside = end < 0 ? line.substring(1) : line.substring(1, end);
        int quote = inside.indexOf('"');
        if (quote < 0 || !inside.substring(0, quote).strip().equalsIgnoreCase("remote")) {
            return null;
        }
        int close = inside.lastIndexOf('"');
        return close > quote ? inside.substring(quote + 1, close) : null;
    }

    /** A config value: surrounding quotes and a trailing comment removed. */
    private static String value(String v) {
        v = v.strip();
        if (v.startsWith("\"")) {
            int close = v.indexOf('"', 1);
            return close < 0 ? v.substring(1) : v.substring(1, close);
        }
        int comment = indexOfAny(v, '#', ';');
        return (comment < 0 ? v : v.substring(0, comment)).strip();
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One form for the ways a remote is written: host (lower case, no user, password, token or
     * port) and path without {@code .git}, query or fragment: {@code git@github.com:org/repo.git},
     * {@code ssh://git@github.com:22/org/repo}, {@code https://x:token@github.com/org/repo.git/}
     * are all {@code github.com/org/repo}; the path keeps its case (not every host ignores it). A local path ({@code /srv/git/repo.git},
     * {@code file:///srv/git/repo}) stays a path, without {@code .git}.
     */
    public static String normalise(String url) {
        String u = url.strip();
        String host;
        String path;
        int scheme = u.indexOf("://");
        if (scheme > 0) {
            String kind = u.substring(0, scheme).toLowerCase(Locale.ROOT);
            String rest = u.substring(scheme + 3);
            int cut = indexOfAny(rest, '?', '#');
            rest = cut < 0 ? rest : rest.substring(0, cut);
            if (kind.equals("file")) {
                return strip(rest);
            }
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            path = slash < 0 ? "" : rest.substring(slash + 1);
            host = hostOf(authority);
        } else {
            int slash = u.indexOf('/');
            int at = u.lastIndexOf('@', slash < 0 ? u.length() : slash);
            int colon = u.indexOf(':', at + 1);
            // [user@]host:path; "C:\..." is a path, and so is anything with a slash before the colon
            boolean scpLike = colon > at + 2 && (slash < 0 || colon < slash);
            if (!scpLike) {
                return strip(u);
            }
            host = hostOf(u.substring(0, colon));
            path = u.substring(colon + 1);
            int cut = indexOfAny(path, '?', '#');
            path = cut < 0 ? path : path.substring(0, cut);
        }
        path = strip(path);
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.startsWith("~")) {
            path = path.substring(1); // ssh://host/~user/repo: the user's, same repository
        }
        return path.isEmpty() ? host : host + "/" + path;
    }

    /** The host of an authority: without user info (user, password, token) and port. */
    private static String hostOf(String authority) {
        String h = authority.substring(authority.lastIndexOf('@') + 1);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return (close < 0 ? h : h.substring(0, close + 1)).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        return (colon < 0 ? h : h.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** Without trailing slashes and {@code .git}. */
    private static String strip(String p) {
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.endsWith(".git")) {
            p = p.substring(0, p.length() - 4);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** Control characters out, at most {@link #MAX_LENGTH} characters. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LENGTH));
        for (int i = 0; i < s.length() && b.length() < MAX_LENGTH; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
