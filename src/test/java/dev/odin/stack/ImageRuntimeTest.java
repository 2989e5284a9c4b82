package dev.odin.stack;

import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.stack.ImageManifestsTest.Dockerfile;
import dev.odin.stack.ImageManifestsTest.Instruction;
import dev.odin.stack.ImageManifestsTest.Stage;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.Otlp;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's runtime commands, run here as the image runs them: the Dockerfile's ENTRYPOINT and
 * ENV (read from the file, their paths moved under a scratch root), as UID/GID 10001 with no home
 * directory, the application directory read-only to it, the data directory the only one it owns.
 * The application directory is laid out as the Dockerfile's {@code jarmode=tools extract} lays it
 * out (a thin odin.jar whose manifest names lib/*.jar), made from the test class path since the
 * Spring Boot jar is built after the tests. Needs root (to switch users) and setpriv (util-linux).
 */
class ImageRuntimeTest {

    static final int UID = 10001;

    @Test
    void theEntrypointRunsAsUid10001OnAReadOnlyAppDirectoryAndWritesOnlyItsDataVolume(@TempDir Path tmp)
            throws Exception {
        Path setpriv = ExternalTool.require("setpriv", "util-linux");
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).strip());
        if (!root) {
            String message = "switching to UID " + UID + " needs root";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " (CI runs the tests as root)");
            }
            Assumptions.abort(message);
        }
        Dockerfile docker = Dockerfile.parse(Files.readAllLines(ImageManifestsTest.DOCKERFILE));
        Stage rt = docker.runtime();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path image = tmp.resolve("image");

        // the application directory as the image has it, owned by root and read-only
        Path app = Files.createDirectories(image.resolve("opt/odin/app"));
        layOut(app);
        Instruction jvmCopy = rt.all("COPY").stream().filter(c -> c.args().startsWith("bin/jvm.options ")).findFirst()
                .orElseThrow();
        Files.copy(Path.of("bin/jvm.options"), at(image, jvmCopy.args().split(" ")[1]));
        readOnly(image.resolve("opt"));

        // the data volume, owned by 10001 (the Dockerfile's chown), and nothing else writable
        Map<String, String> env = new java.util.LinkedHashMap<>();
        rt.env().forEach((k, v) -> env.put(k, v.replace("@/opt/", "@" + image + "/opt/")));
        Path data = Files.createDirectories(at(image, env.get("ODIN_DATADIR")));
        run("chown", UID + ":" + UID, data.toString());
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        env.put("ODIN_DATADIR", data.toString());
        env.put("ODIN_CLAUDE_TRANSCRIPTSDIR", at(image, env.get("ODIN_CLAUDE_TRANSCRIPTSDIR")).toString());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + "/usr/bin:/bin");
        @SuppressWarnings("unchecked")
        List<String> entrypoint = new ObjectMapper().readValue(rt.last("ENTRYPOINT").args(), List.class);
        List<String> command = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + UID, "--regid=" + UID,
                "--clear-groups", "--no-new-privs"));
        for (String a : entrypoint) {
            command.add(a.replace("=/opt/", "=" + image + "/opt/").replaceFirst("^/opt/", image + "/opt/"));
        }
        Path workdir = at(image, rt.last("WORKDIR").args());

        // as built: bound to 0.0.0.0 and no tokens given, the start is refused with the setting to set.
        // It runs beside the start below (two JVM starts at once, not one after the other), with a
        // data volume of its own made the same way, so the two never write the same files
        Map<String, String> asBuilt = new java.util.LinkedHashMap<>(env);
        Path refusedData = Files.createDirectories(data.resolveSibling(data.getFileName() + "-refused"));
        run("chown", UID + ":" + UID, refusedData.toString());
        Files.setPosixFilePermissions(refusedData, PosixFilePermissions.fromString("rwx------"));
        asBuilt.put("ODIN_DATADIR", refusedData.toString());
        Run refused = start(command, asBuilt, workdir, tmp.resolve("refused.log"), List.of());

        // on loopback (the tests' rule) and free ports it becomes ready, takes OTLP, serves /metrics
        env.put("ODIN_BINDADDRESS", "127.0.0.1");
        int http = OdinProcess.freePort();
        int mgmt = OdinProcess.freePort();
        int grpc = OdinProcess.freePort();
        Run odin = start(command, env, workdir, tmp.resolve("odin.log"), List.of("--server.port=" + http,
                "--management.server.port=" + mgmt, "--odin.otlp.grpc.port=" + grpc));
        try {
            assertThat(refused.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.process.exitValue()).isNotZero();
            assertThat(Files.readString(refused.log)).contains("ODIN refuses to start: the OTLP receivers would take"
                    + " data from anyone on 0.0.0.0: set odin.auth.tokens-file (ODIN_AUTH_TOKENSFILE)");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            awaitReady(client, odin, mgmt);
            assertThat(get(client, "http://127.0.0.1:" + mgmt + "/healthz").statusCode()).isEqualTo(200);
            byte[] body = Otlp.request(attrs("service.name", "image-check"),
                    Otlp.gauge("odin_image_check", "", Otlp.point(attrs(), T0, T0, 42))).toByteArray();
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                    + "/v1/metrics")).header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            String metrics = get(client, "http://127.0.0.1:" + mgmt + "/metrics").body();
            assertThat(metrics.lines()).contains(
                    "odin_image_check{job=\"image-check\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\"} 42.0");

            // the process is UID/GID 10001, and what it wrote is in the data volume, owned by it
            List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(odin.process.pid()), "status"));
            assertThat(status).anyMatch(l -> l.matches("Uid:\\s+" + UID + "\\s+" + UID + "\\s+" + UID + "\\s+" + UID))
                    .anyMatch(l -> l.matches("Gid:\\s+" + UID + "\\s+" + UID + "\\s+" + UID + "\\s+" + UID));
            try (Stream<Path> written = Files.walk(data)) {
                List<Path> files = written.filter(p -> !p.equals(data)).toList();
                assertThat(files).as("ODIN's start writes its state under the data volume").isNotEmpty();
                for (Path f : files) {
                    assertThat(Files.getAttribute(f, "unix:uid")).as(f.toString()).isEqualTo(UID);
                }
            }
        } finally {
            refused.process.destroyForcibly(); // gone already unless its assertion failed
            odin.process.destroy();
            if (!odin.process.waitFor(60, TimeUnit.SECONDS)) {
                odin.process.destroyForcibly();
            }
        }
        // SIGTERM: the JVM's exit code for it (systemd's SuccessExitStatus=143); nothing in the app directory
        assertThat(odin.process.exitValue()).as(Files.readString(odin.log)).isIn(0, 143);
        assertThat(Files.readString(odin.log)).doesNotContain("AccessDeniedException").doesNotContain("Read-only");
        try (Stream<Path> files = Files.walk(image.resolve("opt"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".odin-"))).isEmpty();
        }
    }

    record Run(Process process, Path log) {
    }

    static Run start(List<String> command, Map<String, String> env, Path workdir, Path log, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workdir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new Run(pb.start(), log);
    }

    /** A path of the image (absolute there) under the scratch root. */
    static Path at(Path image, String imagePath) {
        return image.resolve(imagePath.replaceFirst("^/", ""));
    }

    /** The extracted layout: lib/ with every jar of the class path, odin.jar with the classes and a Class-Path. */
    static void layOut(Path app) throws IOException {
        Path lib = Files.createDirectories(app.resolve("lib"));
        List<String> classPath = new ArrayList<>();
        Path classes = null;
        for (String e : OdinProcess.classpath().split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p)) {
                if (p.endsWith(Path.of("target", "classes"))) {
                    classes = p;
                }
                continue; // test classes stay out of the image
            }
            if (Files.isRegularFile(p) && e.endsWith(".jar")) {
                String name = p.getFileName().toString();
                if (!Files.exists(lib.resolve(name))) {
                    Files.copy(p, lib.resolve(name));
                    classPath.add("lib/" + name);
                }
            }
        }
        assertThat(classes).as("target/classes on the class path").isNotNull();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.odin.OdinApplication");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        Path root = classes;
        try (OutputStream out = Files.newOutputStream(app.resolve("odin.jar"));
                JarOutputStream jar = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.walk(root)) {
            // directory entries too, as the extracted jar has them: classpath:routes/*.yaml lists one
            for (Path f : files.filter(f -> !f.equals(root)).sorted().toList()) {
                String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(f)) {
                    jar.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(f, jar);
                }
                jar.closeEntry();
            }
        }
    }

    static void readOnly(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x"
                        : "r--r--r--"));
            }
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    static void awaitReady(HttpClient client, Run odin, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!odin.process.isAlive()) {
                throw new AssertionError("ODIN exited: " + Files.readString(odin.log));
            }
            try {
                if (get(client, "http://127.0.0.1:" + port + "/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("ODIN did not get ready: " + Files.readString(odin.log));
    }

    static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
