package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The JVM settings live in one place, bin/jvm.options: the JVM accepts the file, bin/odin passes
 * it, the README starts ODIN through bin/odin, every ODIN container in k8s mounts the same file and
 * names it first in JDK_JAVA_OPTIONS (no second list in JAVA_TOOL_OPTIONS), and each container's
 * memory request and limit leave the heap its settings give room beside the native memory
 * (docs/benchmarks.md, "Footprint").
 */
class JvmSettingsTest {

    static final Path OPTIONS = Path.of("bin/jvm.options");
    static final String MOUNTED = "/etc/odin/jvm.options";
    /**
     * native memory beside the heap at idle with bin/jvm.options (class metadata, code, threads, the
     * CDS archive): about 140 MB measured (docs/benchmarks.md, "Footprint")
     */
    static final long NATIVE_FLOOR = 128L << 20;
    /** what the limit must leave beyond a full heap: that native memory, buffers under load, a margin */
    static final long NATIVE_UNDER_LOAD = 160L << 20;

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            false);
    static final Map<String, PodSpec> pods = new LinkedHashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        for (String f : List.of("k8s/base/gateway.yaml", "k8s/base/probes.yaml")) {
            for (Object doc : new Yaml().loadAll(Files.readString(Path.of(f)))) {
                Map<String, Object> m = (Map<String, Object>) doc;
                if ("Deployment".equals(m.get("kind"))) {
                    Deployment d = JSON.convertValue(m, Deployment.class);
                    pods.put(f + " " + d.getMetadata().getName(), d.getSpec().getTemplate().getSpec());
                } else if ("DaemonSet".equals(m.get("kind"))) {
                    DaemonSet d = JSON.convertValue(m, DaemonSet.class);
                    pods.put(f + " " + d.getMetadata().getName(), d.getSpec().getTemplate().getSpec());
                }
            }
        }
        assertThat(pods).hasSize(2);
    }

    @Test
    void theJvmAcceptsTheOptionsFile() throws Exception {
        Map<String, String> flags = finalFlags(List.of("@" + OPTIONS));
        assertThat(flags.get("UseSerialGC")).isEqualTo("true");
        assertThat(Long.parseLong(flags.get("MaxHeapSize"))).isEqualTo(256L << 20);
        assertThat(flags.get("ExitOnOutOfMemoryError")).isEqualTo("true");
        for (String line : Files.readAllLines(OPTIONS)) {
            String l = line.strip();
            assertThat(l.isEmpty() || l.startsWith("#") || l.startsWith("-")).as("an option a line: " + l).isTrue();
        }
    }

    @Test
    void theReadmeAndTheBenchStartOdinThroughTheLauncher() throws IOException {
        assertThat(Files.isExecutable(Path.of("bin/odin"))).isTrue();
        assertThat(Files.readString(Path.of("bin/odin"))).contains("@$home/bin/jvm.options");
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme).contains("bin/odin").doesNotContain("java -XX:");
        assertThat(Files.readString(Path.of("bench/footprint.sh"))).contains("bin/odin");
    }

    @Test
    void theLauncherNamesTheBuildStepWhenThereIsNoJar() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bin/odin");
        pb.environment().put("ODIN_JAR", "/nonexistent/odin.jar");
        Process q = pb.redirectErrorStream(true).start();
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(1);
        assertThat(out).contains("/nonexistent/odin.jar").contains("./mvnw -q -DskipTests package");
    }

    @Test
    void theLauncherLeavesAForeignArchiveDirectoryAloneAndDoesNotRetryAFailedArchive(@TempDir Path tmp)
            throws Exception {
        Path jar = Files.writeString(tmp.resolve("odin-x.jar"), "not a jar");
        Path foreign = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(foreign.resolve("precious"), "keep");
        Launch l = launch(Map.of("ODIN_JAR", jar.toString(), "ODIN_CDS_DIR", foreign.toString()), "cds");
        assertThat(l.exit).isEqualTo(1);
        assertThat(l.out).contains("not replacing it");
        assertThat(foreign.resolve("precious")).hasContent("keep");
        // a directory that merely looks like an extracted jar (/opt/odin, /usr/local: a lib/) is not ours either
        Path install = Files.createDirectories(tmp.resolve("opt-odin").resolve("lib"));
        Files.writeString(install.resolve("precious.jar"), "keep");
        Launch lib = launch(Map.of("ODIN_JAR", jar.toString(), "ODIN_CDS_DIR", install.getParent().toString()), "cds");
        assertThat(lib.exit).isEqualTo(1);
        assertThat(install.resolve("precious.jar")).hasContent("keep");
        // no java: said so, not a silent exit
        ProcessBuilder nojava = new ProcessBuilder("bin/odin").redirectErrorStream(true);
        nojava.environment().put("JAVA", tmp.resolve("no-such-java").toString());
        nojava.environment().put("ODIN_JAR", jar.toString());
        Process q = nojava.start();
        String said = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(1);
        assertThat(said).contains("no java found");

        // a jar the archive cannot be made from: tried once, then started without, with a note
        Path cds = tmp.resolve("cds");
        Map<String, String> env = Map.of("ODIN_JAR", jar.toString(), "ODIN_CDS_DIR", cds.toString());
        assertThat(launch(env, "cds").exit).isEqualTo(1);
        assertThat(cds.resolve("failed")).isRegularFile();
        Launch again = launch(env);
        assertThat(again.out).contains("starting without class data sharing").doesNotContain("creating the class");
        assertThat(again.exit).isNotZero(); // the plain java -jar of a file that is no jar
    }

    /**
     * The native heap trim is passed only to a JVM that accepts it: JDK 17 before 17.0.9 refuses
     * -XX:TrimNativeHeapInterval and would not start at all. A stand-in java records what it is run with.
     */
    @Test
    void theLauncherAsksForTheNativeHeapTrimOnlyWhereTheJvmTakesIt(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux");
        Path jar = Files.writeString(tmp.resolve("odin-x.jar"), "any");
        for (boolean old : new boolean[] {false, true}) {
            Path args = tmp.resolve("args-" + old);
            Path java = tmp.resolve("java-" + old);
            Files.writeString(java, "#!/bin/sh\n"
                    + (old ? "for a in \"$@\"; do case $a in -XX:TrimNativeHeapInterval=*)"
                            + " echo \"Unrecognized VM option '${a#-XX:}'\" >&2; exit 1;; esac; done\n" : "")
                    + "case \" $* \" in *' -version '*) echo 'openjdk version \"17.0.8\"' >&2; exit 0;; esac\n"
                    + "printf '%s\\n' \"$@\" > " + args + "\n");
            assertThat(java.toFile().setExecutable(true)).isTrue();
            ProcessBuilder pb = new ProcessBuilder("bin/odin", "--server.port=0").redirectErrorStream(true);
            pb.environment().putAll(Map.of("JAVA", java.toString(), "ODIN_JAR", jar.toString(), "ODIN_CDS", "off",
                    "ODIN_JAVA_OPTS", "-Xmx300m"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            List<String> ran = Files.readAllLines(args);
            if (old) {
                assertThat(ran).as("a JVM that refuses the flag").noneMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval"));
            } else {
                // after the options file, before the user's options (which win)
                assertThat(ran).containsSubsequence("@" + Path.of("").toAbsolutePath().resolve("bin/jvm.options"),
                        "-XX:TrimNativeHeapInterval=30000", "-Xmx300m", "-jar", jar.toString(), "--server.port=0");
            }
        }
    }

    record Launch(int exit, String out) {}

    static Launch launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bin/odin"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Launch(p.exitValue(), out);
    }

    @Test
    void everyOdinContainerTakesTheSharedFileAndHasMemoryForItsHeap() throws Exception {
        for (Map.Entry<String, PodSpec> e : pods.entrySet()) {
            PodSpec pod = e.getValue();
            for (Container c : pod.getContainers()) {
                String where = e.getKey() + " " + c.getName();
                Map<String, String> env = new LinkedHashMap<>();
                for (EnvVar v : c.getEnv()) {
                    env.put(v.getName(), v.getValue());
                }
                assertThat(env).as(where + ": one list, in JDK_JAVA_OPTIONS").doesNotContainKeys("JAVA_TOOL_OPTIONS",
                        "_JAVA_OPTIONS");
                String opts = env.get("JDK_JAVA_OPTIONS");
                assertThat(opts).as(where).startsWith("@" + MOUNTED + " ").doesNotContain("-XX:+UseSerialGC");
                assertThat(env).as(where).containsEntry("MALLOC_ARENA_MAX", "2");
                VolumeMount mount = c.getVolumeMounts().stream().filter(m -> MOUNTED.equals(m.getMountPath()))
                        .findFirst().orElseThrow(() -> new AssertionError(where + " does not mount " + MOUNTED));
                assertThat(mount.getSubPath()).isEqualTo("jvm.options");
                Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst()
                        .orElseThrow();
                assertThat(v.getConfigMap().getName()).as(where).isEqualTo("odin-jvm");

                // what the JVM makes of the file with this container's additions
                List<String> args = new ArrayList<>();
                for (String a : opts.split("\\s+")) {
                    args.add(a.equals("@" + MOUNTED) ? "@" + OPTIONS : a);
                }
                Map<String, String> flags = finalFlags(args);
                if (e.getKey().contains("gateway")) {
                    // the gateway takes load: the collector and the JIT the throughput was measured with
                    assertThat(flags.get("UseParallelGC")).as(where).isEqualTo("true");
                    assertThat(flags.get("UseSerialGC")).as(where).isEqualTo("false");
                    assertThat(flags.get("TieredStopAtLevel")).as(where).isEqualTo("4");
                    // bin/jvm.options delays compilation for the laptop; the gateway compiles as the JVM does
                    assertThat(Double.parseDouble(flags.get("CompileThresholdScaling"))).as(where).isEqualTo(1.0);
                } else {
                    assertThat(flags.get("UseSerialGC")).as(where).isEqualTo("true");
                }
                long heap = Long.parseLong(flags.get("MaxHeapSize"));
                long request = Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")).longValue();
                long limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")).longValue();
                assertThat(limit).as(where + ": memory limit against -Xmx " + (heap >> 20) + "m")
                        .isGreaterThanOrEqualTo(heap + NATIVE_UNDER_LOAD);
                assertThat(request).as(where + ": memory request against the idle footprint")
                        .isGreaterThanOrEqualTo(NATIVE_FLOOR + Long.parseLong(flags.get("InitialHeapSize")));
                assertThat(request).as(where).isLessThanOrEqualTo(limit);
            }
        }
    }

    /** {@code java <args> -XX:+PrintFlagsFinal -version}: the flags the JVM would run with. */
    static Map<String, String> finalFlags(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(args);
        cmd.add("-XX:+PrintFlagsFinal");
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        Map<String, String> flags = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?= (\\S+)").matcher(out);
        while (m.find()) {
            flags.put(m.group(1), m.group(2));
        }
        return flags;
    }
}
