package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Dockerfile and k8s/ describe the same image: its name and the pom's version, its ports
 * (ODIN's), its user (UID/GID 10001), its data directory (the volume, ODIN_DATADIR, the mounted
 * path, odin.data-dir of the cluster's configuration), a read-only root with /data and /tmp the
 * only writable places, the probes on the endpoints ODIN serves, and the one list of JVM settings
 * (bin/jvm.options). ImageRuntimeTest runs the image's commands; this reads them.
 */
class ImageManifestsTest {

    static final Path DOCKERFILE = Path.of("Dockerfile");
    static final String IMAGE = "ghcr.io/odin-observability/odin";
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            false);

    static Dockerfile docker;
    static final Map<String, PodSpec> pods = new LinkedHashMap<>();

    /** One instruction: its keyword and its arguments, continuation lines joined. */
    record Instruction(int line, String keyword, String args) {
    }

    /** A stage: from FROM to the next FROM. */
    record Stage(String from, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Instruction last(String keyword) {
            List<Instruction> found = all(keyword);
            assertThat(found).as("the stage FROM " + from + " has a " + keyword).isNotEmpty();
            return found.get(found.size() - 1);
        }

        /** Every ENV of the stage, in order (a later one wins). */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction i : all("ENV")) {
                Matcher m = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(i.args());
                while (m.find()) {
                    String v = m.group(2);
                    env.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
                }
            }
            return env;
        }
    }

    /** The Dockerfile's ARGs before the first FROM and its stages. */
    record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {
        Stage runtime() {
            return stages.get(stages.size() - 1);
        }

        static Dockerfile parse(List<String> lines) {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            int start = 0;
            for (int n = 0; n < lines.size(); n++) {
                String l = lines.get(n);
                if (current.isEmpty() && (l.isBlank() || l.strip().startsWith("#"))) {
                    continue;
                }
                if (!current.isEmpty() && l.strip().startsWith("#")) {
                    continue; // a comment inside a continued instruction
                }
                if (current.isEmpty()) {
                    start = n + 1;
                }
                String s = l.stripTrailing();
                if (s.endsWith("\\")) {
                    current.append(s, 0, s.length() - 1).append(' ');
                    continue;
                }
                current.append(s);
                String text = current.toString().strip();
                current.setLength(0);
                int space = text.indexOf(' ');
                instructions.add(new Instruction(start, text.substring(0, space).toUpperCase(),
                        text.substring(space + 1).strip().replaceAll("\\s+", " ")));
            }
            Map<String, String> args = new LinkedHashMap<>();
            List<Stage> stages = new ArrayList<>();
            for (Instruction i : instructions) {
                if (i.keyword().equals("FROM")) {
                    String[] parts = i.args().split(" ");
                    String from = parts[0];
                    for (Map.Entry<String, String> a : args.entrySet()) {
                        from = from.replace("${" + a.getKey() + "}", a.getValue());
                    }
                    stages.add(new Stage(from, parts.length > 2 ? parts[2] : null, new ArrayList<>()));
                } else if (stages.isEmpty()) {
                    if (i.keyword().equals("ARG")) {
                        String[] kv = i.args().split("=", 2);
                        args.put(kv[0], kv.length > 1 ? kv[1] : "");
                    }
                } else {
                    stages.get(stages.size() - 1).instructions().add(i);
                }
            }
            return new Dockerfile(args, stages);
        }
    }

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        docker = Dockerfile.parse(Files.readAllLines(DOCKERFILE));
        for (String f : List.of("k8s/base/gateway.yaml", "k8s/base/probes.yaml")) {
            for (Object doc : new Yaml().loadAll(Files.readString(Path.of(f)))) {
                Map<String, Object> m = (Map<String, Object>) doc;
                if ("Deployment".equals(m.get("kind"))) {
                    Deployment d = JSON.convertValue(m, Deployment.class);
                    pods.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec());
                } else if ("DaemonSet".equals(m.get("kind"))) {
                    DaemonSet d = JSON.convertValue(m, DaemonSet.class);
                    pods.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec());
                }
            }
        }
        assertThat(pods).containsOnlyKeys("odin", "odin-probes");
    }

    /** The pom's version, as the release is tagged: 0.1.0-SNAPSHOT builds 0.1.0. */
    static String releaseVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("</parent>.*?<artifactId>odin</artifactId>\\s*<version>([^<]+)</version>",
                Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).as("the project version in pom.xml").isTrue();
        return m.group(1).replace("-SNAPSHOT", "");
    }

    @Test
    void theImageIsBuiltWithTheWrapperOnAJdkAndRunsOnAJreOfThePomsJavaVersion() throws IOException {
        assertThat(docker.stages()).hasSize(2);
        Stage build = docker.stages().get(0);
        String java = Pattern.compile("<java.version>(\\d+)</java.version>").matcher(Files.readString(Path.of("pom.xml")))
                .results().findFirst().orElseThrow().group(1);
        assertThat(build.from()).isEqualTo("eclipse-temurin:" + java + "-jdk");
        assertThat(build.name()).isEqualTo("build");
        assertThat(build.all("RUN")).anyMatch(r -> r.args().contains("./mvnw -B -ntp -DskipTests package"));
        assertThat(docker.runtime().from()).isEqualTo("eclipse-temurin:" + java + "-jre");
        // what the build copies is in the build context (.dockerignore is an allow-list)
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignore.get(0)).isEqualTo("*");
        List<String> allowed = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        for (Stage s : docker.stages()) {
            for (Instruction copy : s.all("COPY")) {
                if (copy.args().startsWith("--from")) {
                    continue;
                }
                String[] parts = copy.args().split(" ");
                for (int i = 0; i < parts.length - 1; i++) {
                    String src = parts[i];
                    assertThat(Files.exists(Path.of(src))).as("COPY " + src + " (line " + copy.line() + ")").isTrue();
                    assertThat(allowed).as(".dockerignore lets " + src + " into the context")
                            .anyMatch(a -> a.startsWith(src) || src.startsWith(a));
                }
            }
        }
        assertThat(allowed).as("never the data directory or a build output").noneMatch(
                a -> a.startsWith("data") || a.startsWith("target") || a.contains("node_modules"));
    }

    @Test
    void k8sPullsTheImageOfThisNameAndThePomsVersion() throws IOException {
        String version = releaseVersion();
        for (Map.Entry<String, PodSpec> p : pods.entrySet()) {
            for (Container c : p.getValue().getContainers()) {
                assertThat(c.getImage()).as(p.getKey()).isEqualTo(IMAGE + ":" + version);
                // args only: a command would replace the image's entrypoint (its class data sharing archive)
                assertThat(c.getCommand()).as(p.getKey() + ": no command").isNullOrEmpty();
                assertThat(c.getArgs()).as(p.getKey()).allMatch(a -> a.startsWith("--"));
            }
        }
        assertThat(docker.runtime().all("ARG")).extracting(Instruction::args).contains("VERSION=" + version);
        String labels = docker.runtime().all("LABEL").stream().map(Instruction::args).reduce("", String::concat);
        assertThat(labels).contains("org.opencontainers.image.version=\"${VERSION}\"")
                .contains("org.opencontainers.image.source=").contains("org.opencontainers.image.title=")
                .contains("org.opencontainers.image.base.name=\"" + docker.runtime().from() + "\"");
        String deploy = Files.readString(Path.of("docs/deploy.md"));
        assertThat(deploy).contains("docker build -t " + IMAGE + ":" + version + " .")
                .contains("docker buildx build --platform linux/amd64,linux/arm64");
        // no overlay swaps the image
        try (Stream<Path> files = Files.walk(Path.of("k8s/overlays"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertThat(text).as(f + ": the image is the base's").doesNotContain("/image").doesNotContain("newTag");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExposedPortsAreOdinsAndTheContainersPorts() throws IOException {
        Map<String, Object> app = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        int http = (Integer) ((Map<String, Object>) app.get("server")).get("port");
        int management = (Integer) ((Map<String, Object>) ((Map<String, Object>) app.get("management")).get("server"))
                .get("port");
        int grpc = new dev.odin.config.OdinProperties().getOtlp().getGrpc().getPort();
        Set<Integer> exposed = new LinkedHashSet<>();
        for (Instruction e : docker.runtime().all("EXPOSE")) {
            for (String p : e.args().split(" ")) {
                exposed.add(Integer.parseInt(p.replace("/tcp", "")));
            }
        }
        assertThat(exposed).containsExactlyInAnyOrder(grpc, http, management);
        assertThat(pods.get("odin").getContainers().get(0).getPorts()).extracting(ContainerPort::getContainerPort)
                .containsExactlyInAnyOrderElementsOf(exposed);
        for (PodSpec pod : pods.values()) {
            assertThat(pod.getContainers().get(0).getPorts()).extracting(ContainerPort::getContainerPort)
                    .allMatch(exposed::contains);
        }
    }

    @Test
    void theUserIs10001InTheImageAndInTheGatewaysSecurityContext() {
        Stage rt = docker.runtime();
        assertThat(rt.last("USER").args()).isEqualTo("10001:10001");
        String run = rt.all("RUN").stream().map(Instruction::args).reduce("", (a, b) -> a + " " + b);
        assertThat(run).contains("groupadd --gid 10001 odin").contains("useradd --uid 10001 --gid 10001")
                .contains("chown 10001:10001 /data");
        // the USER comes after every RUN: nothing runs as root at run time
        int user = rt.instructions().indexOf(rt.last("USER"));
        assertThat(rt.instructions().subList(user, rt.instructions().size())).extracting(Instruction::keyword)
                .doesNotContain("RUN", "COPY");
        var sc = pods.get("odin").getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isEqualTo(10001L);
        assertThat(sc.getRunAsGroup()).isEqualTo(10001L);
        assertThat(sc.getFsGroup()).isEqualTo(10001L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDataDirectoryIsTheVolumeOdinDataDirAndTheMountedPath() throws IOException {
        Stage rt = docker.runtime();
        String dataDir = rt.env().get("ODIN_DATADIR");
        assertThat(dataDir).isEqualTo("/data");
        assertThat(rt.last("VOLUME").args()).isEqualTo("[\"" + dataDir + "\"]");
        Map<String, Object> cluster = new Yaml().load(Files.readString(Path.of("k8s/base/odin-config.yaml")));
        assertThat(((Map<String, Object>) cluster.get("odin")).get("data-dir")).isEqualTo(dataDir);
        for (Map.Entry<String, PodSpec> p : pods.entrySet()) {
            Container c = p.getValue().getContainers().get(0);
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(p.getKey()).isTrue();
            Map<String, VolumeMount> writable = new LinkedHashMap<>();
            for (VolumeMount m : c.getVolumeMounts()) {
                if (!Boolean.TRUE.equals(m.getReadOnly())) {
                    writable.put(m.getMountPath(), m);
                }
            }
            // exactly the image's writable places: the data volume and /tmp
            assertThat(writable).as(p.getKey() + ": writable mounts").containsOnlyKeys(dataDir, "/tmp");
            for (VolumeMount m : writable.values()) {
                Volume v = p.getValue().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                        .orElseThrow();
                assertThat(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null)
                        .as(p.getKey() + " " + m.getMountPath() + " is a volume of its own").isTrue();
            }
            // an ODIN_DATADIR set in the manifest must be the same path
            for (EnvVar e : c.getEnv()) {
                if (e.getName().equals("ODIN_DATADIR")) {
                    assertThat(e.getValue()).isEqualTo(dataDir);
                }
            }
        }
    }

    @Test
    void theProbesAskTheEndpointsOdinServesOnTheManagementPort() throws IOException {
        Map<String, Object> app = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        @SuppressWarnings("unchecked")
        int management = (Integer) ((Map<String, Object>) ((Map<String, Object>) app.get("management")).get("server"))
                .get("port");
        for (Map.Entry<String, PodSpec> p : pods.entrySet()) {
            Container c = p.getValue().getContainers().get(0);
            ContainerPort metrics = c.getPorts().stream().filter(x -> x.getName().equals("metrics")).findFirst()
                    .orElseThrow();
            assertThat(metrics.getContainerPort()).isEqualTo(management);
            for (Probe probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
            }
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJvmSettingsAreBinJvmOptionsInTheImageAndInK8s() throws IOException {
        Stage rt = docker.runtime();
        assertThat(rt.all("COPY")).extracting(Instruction::args).contains("bin/jvm.options /opt/odin/jvm.options");
        Map<String, String> env = rt.env();
        assertThat(env).containsEntry("JDK_JAVA_OPTIONS", "@/opt/odin/jvm.options").containsEntry("MALLOC_ARENA_MAX",
                "2").doesNotContainKeys("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");
        // the entrypoint adds no JVM setting but the image's class data sharing archive, so k8s's
        // JDK_JAVA_OPTIONS (bin/jvm.options mounted, then the gateway's additions) decides them all
        List<String> entrypoint = JSON.readValue(rt.last("ENTRYPOINT").args(), List.class);
        assertThat(entrypoint).containsExactly("java", "-XX:SharedArchiveFile=/opt/odin/odin.jsa", "-jar",
                "/opt/odin/app/odin.jar");
        assertThat(rt.all("CMD")).isEmpty();
        String training = rt.all("RUN").stream().map(Instruction::args).filter(r -> r.contains("ArchiveClassesAtExit"))
                .findFirst().orElseThrow();
        assertThat(training).contains("-XX:ArchiveClassesAtExit=/opt/odin/odin.jsa")
                .contains("-jar /opt/odin/app/odin.jar").contains("-Dspring.context.exit=onRefresh")
                .contains("--odin.data-dir=/tmp/");
        // the training start runs before ODIN_BINDADDRESS=0.0.0.0 is set: it binds nothing anyway,
        // but a non-loopback address without tokens would refuse it
        int trainingAt = rt.instructions().indexOf(rt.all("RUN").stream()
                .filter(r -> r.args().contains("ArchiveClassesAtExit")).findFirst().orElseThrow());
        int bindAt = rt.instructions().indexOf(rt.all("ENV").stream()
                .filter(e -> e.args().contains("ODIN_BINDADDRESS")).findFirst().orElseThrow());
        assertThat(trainingAt).isLessThan(bindAt);
        Map<String, Object> base = new Yaml().load(Files.readString(Path.of("k8s/base/kustomization.yaml")));
        Map<String, Object> jvm = ((List<Map<String, Object>>) base.get("configMapGenerator")).stream()
                .filter(g -> g.get("name").equals("odin-jvm")).findFirst().orElseThrow();
        assertThat((List<String>) jvm.get("files")).containsExactly("jvm.options=../../bin/jvm.options");
        for (Map.Entry<String, PodSpec> p : pods.entrySet()) {
            Map<String, String> k8s = new LinkedHashMap<>();
            p.getValue().getContainers().get(0).getEnv().forEach(e -> k8s.put(e.getName(), e.getValue()));
            assertThat(k8s.get("JDK_JAVA_OPTIONS")).as(p.getKey()).startsWith("@/etc/odin/jvm.options");
            assertThat(k8s).as(p.getKey()).containsEntry("MALLOC_ARENA_MAX", env.get("MALLOC_ARENA_MAX"));
        }
    }

    @Test
    void theParserReadsContinuationsCommentsAndStages() {
        Dockerfile d = Dockerfile.parse(List.of("ARG BASE=debian:12", "# c", "FROM ${BASE} AS one",
                "RUN a \\", "# inside", "  && b", "FROM scratch", "ENV A=1 \\", "    B=\"x y\"", "USER 1:2"));
        assertThat(d.stages()).extracting(Stage::from).containsExactly("debian:12", "scratch");
        assertThat(d.stages().get(0).name()).isEqualTo("one");
        assertThat(d.stages().get(0).last("RUN").args()).isEqualTo("a && b");
        assertThat(d.runtime().env()).containsExactly(Map.entry("A", "1"), Map.entry("B", "x y"));
        assertThat(d.runtime().last("USER").line()).isEqualTo(10);
    }
}
