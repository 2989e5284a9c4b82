package dev.odin.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a program a test needs that Maven cannot provide (Debian's prometheus, promtool,
 * alertmanager). Missing on a developer's machine: the test is skipped with the install command.
 * Missing under CI (CI=true): the test fails, because .ci/run installs these.
 */
public final class ExternalTool {

    private ExternalTool() {
    }

    public static Path require(String program, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = program + " is not installed (apt-get install " + debianPackage + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; .ci/run must install it");
        }
        Assumptions.abort(message);
        return null;
    }
}
