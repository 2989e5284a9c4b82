package dev.odin.privacy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The key of the privacy hash: read from the configured file, or generated once (32 random
 * bytes) and kept in the data directory, readable by ODIN's user only, so a hashed value maps to
 * the same hash after a restart.
 */
public final class HashKey {

    private HashKey() {
    }

    public static byte[] load(String configuredFile, Path dataDir) throws IOException {
        if (!configuredFile.isBlank()) {
            byte[] key = Files.readAllBytes(Path.of(configuredFile));
            if (key.length < 16) {
                throw new IllegalArgumentException("odin.privacy.hash-key-file " + configuredFile
                        + " holds " + key.length + " bytes; a key needs at least 16");
            }
            return key;
        }
        Path file = dataDir.resolve("privacy").resolve("hash.key");
        if (Files.exists(file)) {
            return Files.readAllBytes(file);
        }
        Files.createDirectories(file.getParent());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = file.resolveSibling("hash.key.tmp");
        Files.write(tmp, key, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's permissions have to do
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return key;
    }
}
