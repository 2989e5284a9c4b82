package dev.odin.receiver.otlp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The accepted bearer tokens and the tenant each one names, as read from a tokens file. Tokens
 * are kept only as SHA-256 digests: a lookup compares digests, so neither the memory nor the
 * time a lookup takes says anything useful about a token.
 *
 * <p>File format: one token per line, optionally followed by whitespace and a tenant name;
 * blank lines and lines starting with {@code #} are ignored. A token without a tenant belongs
 * to no tenant (its data goes to the default Loki tenant, if one is configured). A file without
 * any token is refused.
 */
public final class Tokens {

    /** Loki's tenant ids allow more; this keeps them safe as a label value and a directory name. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final int MIN_TOKEN_LENGTH = 16;

    /** What a valid token carries; {@code tenant} is empty when the token names none. */
    public record Principal(String tenant) {
        static final Principal NO_TENANT = new Principal("");
    }

    private final Map<String, Principal> byDigest;

    private Tokens(Map<String, Principal> byDigest) {
        this.byDigest = byDigest;
    }

    public static Tokens parse(String text) {
        Map<String, Principal> map = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length > 2) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'token [tenant]', found "
                        + parts.length + " words");
            }
            if (parts[0].length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("line " + (i + 1) + ": a token must be at least "
                        + MIN_TOKEN_LENGTH + " characters long");
            }
            String tenant = parts.length == 2 ? parts[1] : "";
            if (!tenant.isEmpty() && !TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException("line " + (i + 1) + ": tenant '" + tenant
                        + "' must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            if (map.put(digest(parts[0]), tenant.isEmpty() ? Principal.NO_TENANT : new Principal(tenant)) != null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": the same token appears twice");
            }
        }
        if (map.isEmpty()) {
            // most likely a file caught half-written or emptied by mistake: locking every client
            // out is never what an operator means by it
            throw new IllegalArgumentException("no tokens in the file");
        }
        return new Tokens(Map.copyOf(map));
    }

    public int size() {
        return byDigest.size();
    }

    /** The principal a token belongs to, or null when it is not one of these tokens. */
    public Principal lookup(String token) {
        return byDigest.get(digest(token));
    }

    static String digest(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
