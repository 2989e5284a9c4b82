package dev.odin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A temporary OTLP tokens file (odin.auth.tokens-file) for tests that run ODIN with authentication. */
public final class TokensFile {

    private TokensFile() {
    }

    /** @param lines "token [tenant]" lines, as the tokens file takes them */
    public static Path create(String... lines) {
        try {
            Path p = Files.createTempFile("odin-tokens", ".txt");
            Files.writeString(p, String.join("\n", lines) + "\n");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
