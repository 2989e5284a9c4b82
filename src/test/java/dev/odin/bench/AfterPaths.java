package dev.odin.bench;

import java.util.List;

/**
 * The paths of {@link TranslatorBench} that exist since issue 16 (kept apart so the bench also
 * compiles against the code before it, with this class reduced to no paths, for the "before").
 */
final class AfterPaths {

    /** "build": the rules applied by the translator as it builds labels (the route since issue 16). */
    static final List<String> NAMES = List.of("build");

    private AfterPaths() {
    }

    static TranslatorBench.Path path(String name) {
        if (!name.equals("build")) {
            throw new IllegalArgumentException(name);
        }
        return (t, p, r, result) -> t.translate(r, result, null, p.rules());
    }
}
