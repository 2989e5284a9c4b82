package dev.odin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A fresh clone has nothing beside it: no test, script or build file reads the shared captures. */
class SelfContainedTest {

    /** Spelt in pieces so this file does not match itself. */
    private static final List<String> OUTSIDE = List.of("../" + "shared", "\"..\", \"" + "shared\"",
            "/work/" + "shared");

    @Test
    void noTestScriptOrBuildFileReadsOutsideTheProject() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("pom.xml"), Path.of(".ci", "run")));
        for (String dir : new String[] {"src/test/java", "bench"}) {
            try (Stream<Path> s = Files.walk(Path.of(dir))) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            for (String o : OUTSIDE) {
                if (text.contains(o)) {
                    found.add(f + ": " + o);
                }
            }
        }
        assertThat(found).isEmpty();
        assertThat(Fixtures.DIR.resolve("README.md")).isRegularFile();
    }

    /** The README's test command installs everything .ci/run installs, and the LogQL grammar. */
    @Test
    void theReadmesTestCommandListsWhatCiInstalls() throws IOException {
        String ci = Files.readString(Path.of(".ci", "run"));
        Matcher m = Pattern.compile("need\\+=\\(([^)]*)\\)").matcher(ci);
        Set<String> packages = new TreeSet<>();
        while (m.find()) {
            packages.addAll(List.of(m.group(1).trim().split("\\s+")));
        }
        assertThat(packages).contains("prometheus", "prometheus-node-exporter", "prometheus-alertmanager",
                "chromium", "nodejs", "npm");
        String readme = Files.readString(Path.of("README.md"));
        // the command's continuation lines joined
        Matcher apt = Pattern.compile("apt-get install ([^\n]*)").matcher(readme.replace("\\\n", " "));
        assertThat(apt.find()).as("an apt-get install line in README.md").isTrue();
        Set<String> listed = new TreeSet<>(List.of(apt.group(1).trim().split("\\s+")));
        assertThat(listed).containsAll(packages);
        assertThat(ci).contains("npm ci --prefix src/test/logql");
        assertThat(readme).contains("npm ci --prefix src/test/logql").contains("./mvnw verify");
    }
}
