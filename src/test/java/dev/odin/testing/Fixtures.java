package dev.odin.testing;

import java.nio.file.Path;

/**
 * The captured inputs the tests replay (src/test/resources/fixtures, described in its README.md):
 * inside the project, so a fresh clone tests with nothing beside it.
 */
public final class Fixtures {

    /** Relative to the project directory, where Maven runs the tests. */
    public static final Path DIR = Path.of("src", "test", "resources", "fixtures");

    private Fixtures() {
    }
}
