package dev.odin.probes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Small readers for procfs and sysfs files: short, text, read whole. */
public final class SysFiles {

    private SysFiles() {
    }

    public static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    /**
     * For text a person wrote (a CPU model, DMI strings, os-release): UTF-8, a byte that is not
     * UTF-8 read as U+FFFD, so one odd byte from firmware or a hypervisor does not cost the file.
     */
    public static String readUtf8(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** @return the file's first line, trimmed, or null when the file does not exist */
    public static String readLine(Path file) throws IOException {
        try {
            String s = read(file);
            int nl = s.indexOf('\n');
            return (nl >= 0 ? s.substring(0, nl) : s).trim();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** @return the file's number, or null when the file does not exist or holds no number */
    public static Long readLong(Path file) throws IOException {
        String s = readLine(file);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Splits on runs of spaces and tabs, ignoring leading and trailing ones. */
    public static String[] fields(String line) {
        return line.trim().split("[ \t]+");
    }

    /** Undoes the octal escapes of /proc/mounts (\040 is a space in a mount point). */
    public static String unescapeOctal(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
