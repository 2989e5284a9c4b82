package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.ExternalTool;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The laptop service units (packaging/, docs/laptop.md): the systemd user unit and the launchd
 * agent run the installed bin/odin with the jar beside it, restart it when it fails, log where
 * docs/laptop.md says, and leave the data directory to ODIN's platform default.
 */
class PackagingTest {

    static final Path UNIT = Path.of("packaging/systemd/odin.service");
    static final Path PLIST = Path.of("packaging/launchd/dev.odin.odin.plist");
    static final String INSTALL = "/.local/lib/odin";

    /** section -> key -> values (a key may repeat: Environment=). */
    static Map<String, Map<String, List<String>>> unit(String text) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String raw : text.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as("a key outside a section: " + line).isNotNull();
            int eq = line.indexOf('=');
            assertThat(eq).as("key=value: " + line).isPositive();
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return sections;
    }

    @Test
    void theSystemdUserUnitRunsTheInstalledLauncherAndRestartsItOnFailure() throws Exception {
        Map<String, Map<String, List<String>>> unit = unit(Files.readString(UNIT));
        assertThat(unit).containsOnlyKeys("Unit", "Service", "Install");
        Map<String, List<String>> service = unit.get("Service");
        assertThat(service.get("ExecStart")).containsExactly("%h" + INSTALL + "/bin/odin");
        assertThat(service.get("Environment")).contains("ODIN_JAR=%h" + INSTALL + "/odin.jar");
        assertThat(service.get("Environment")).as("the data directory is ODIN's default, not the unit's")
                .noneMatch(e -> e.startsWith("ODIN_DATADIR="));
        assertThat(service.get("Restart")).containsExactly("on-failure");
        assertThat(service.get("Type")).containsExactly("exec");
        assertThat(service.get("StandardOutput")).containsExactly("journal");
        assertThat(service.get("StandardError")).containsExactly("journal");
        assertThat(service.get("SyslogIdentifier")).containsExactly("odin");
        assertThat(service.get("SuccessExitStatus")).containsExactly("143");
        assertThat(service.get("UMask")).containsExactly("0077");
        assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
        // a user unit has no privileges and maybe no user namespaces: nothing that needs a mount
        // namespace, capabilities or another user; and no W^X, which the JIT needs
        assertThat(service).doesNotContainKeys("User", "Group", "ProtectSystem", "ProtectHome", "PrivateTmp",
                "PrivateDevices", "ProtectKernelTunables", "ReadWritePaths", "CapabilityBoundingSet",
                "AmbientCapabilities", "MemoryDenyWriteExecute", "PrivateUsers", "ProtectProc");
        assertThat(unit.get("Install").get("WantedBy")).containsExactly("default.target");
        assertThat(unit.get("Unit")).containsKeys("Description", "StartLimitIntervalSec", "StartLimitBurst");
        // bin/odin takes ODIN_JAR and ODIN_CDS_DIR (the unit's environment) as documented
        String launcher = Files.readString(Path.of("bin/odin"));
        assertThat(launcher).contains("${ODIN_JAR:-").contains("${ODIN_CDS_DIR:-");
    }

    @Test
    void systemdAcceptsTheUnit(@TempDir Path tmp) throws Exception {
        Path analyze = ExternalTool.require("systemd-analyze", "systemd");
        // the unit as installed: %h/.local/lib/odin/bin/odin must exist and be executable
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path bin = Files.createDirectories(home.resolve(".local/lib/odin/bin"));
        Files.copy(Path.of("bin/odin"), bin.resolve("odin"));
        Files.setPosixFilePermissions(bin.resolve("odin"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path runtime = Files.createDirectories(tmp.resolve("run"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        Path unit = tmp.resolve("odin.service");
        Files.writeString(unit, Files.readString(UNIT).replace("%h", home.toString()));
        ProcessBuilder pb = new ProcessBuilder(analyze.toString(), "verify", "--user", unit.toString())
                .redirectErrorStream(true);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("systemd-analyze verify: no warning (an unknown key, a bad value)").isBlank();

        // and it notices a broken one: the check can fail
        Files.writeString(unit, Files.readString(unit).replace("Restart=on-failure", "Restart=on-failure\nRestrat=x"));
        Process bad = pb.start();
        String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(badOut).contains("Restrat");
    }

    /** The top-level dict of a property list, values as String, Boolean, Long, List or Map. */
    static Map<String, Object> plist(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
        Element root = b.parse(new ByteArrayInputStream(xml)).getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("plist");
        assertThat(root.getAttribute("version")).isEqualTo("1.0");
        List<Element> top = children(root);
        assertThat(top).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = (Map<String, Object>) value(top.get(0));
        return dict;
    }

    private static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c);
            } else if (n.getNodeType() == Node.TEXT_NODE) {
                assertThat(n.getTextContent().isBlank()).as("text between elements of <" + e.getTagName() + ">").isTrue();
            }
        }
        return out;
    }

    private static Object value(Element e) {
        switch (e.getTagName()) {
            case "string":
                return e.getTextContent();
            case "integer":
                return Long.parseLong(e.getTextContent().strip());
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            case "array": {
                List<Object> list = new ArrayList<>();
                children(e).forEach(c -> list.add(value(c)));
                return list;
            }
            case "dict": {
                Map<String, Object> map = new LinkedHashMap<>();
                List<Element> kv = children(e);
                assertThat(kv.size() % 2).as("<dict> holds key/value pairs").isZero();
                for (int i = 0; i < kv.size(); i += 2) {
                    assertThat(kv.get(i).getTagName()).isEqualTo("key");
                    String key = kv.get(i).getTextContent();
                    assertThat(map).as("key " + key + " once").doesNotContainKey(key);
                    map.put(key, value(kv.get(i + 1)));
                }
                return map;
            }
            default:
                throw new AssertionError("not a property list element: <" + e.getTagName() + ">");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theLaunchdAgentRunsTheInstalledLauncherAtLoginKeepsItAliveAndLogsUnderLibraryLogs() throws Exception {
        // installed as docs/laptop.md says: @HOME@ replaced by the home directory
        String installed = Files.readString(PLIST).replace("@HOME@", "/Users/ada");
        Map<String, Object> agent = plist(installed.getBytes(StandardCharsets.UTF_8));
        // launchd expands nothing: every path is absolute once installed
        assertThat(strings(agent)).isNotEmpty().allSatisfy(v -> assertThat(v).doesNotContain("@HOME@")
                .doesNotContain("~").doesNotContain("$"));
        assertThat(agent.get("Label")).isEqualTo("dev.odin.odin");
        assertThat(PLIST.getFileName().toString()).isEqualTo(agent.get("Label") + ".plist");
        assertThat(agent.get("ProgramArguments")).isEqualTo(List.of("/Users/ada" + INSTALL + "/bin/odin"));
        Map<String, Object> env = (Map<String, Object>) agent.get("EnvironmentVariables");
        assertThat(env).containsEntry("ODIN_JAR", "/Users/ada" + INSTALL + "/odin.jar").doesNotContainKey("ODIN_DATADIR");
        assertThat((String) env.get("PATH")).contains("/usr/bin");
        assertThat(agent.get("RunAtLoad")).isEqualTo(true);
        assertThat(agent.get("KeepAlive")).isEqualTo(Map.of("SuccessfulExit", false));
        assertThat(agent.get("StandardOutPath")).isEqualTo("/Users/ada/Library/Logs/odin/odin.log");
        assertThat(agent.get("StandardErrorPath")).isEqualTo("/Users/ada/Library/Logs/odin/odin.log");
        assertThat(agent.get("Umask")).isEqualTo(63L); // 0077
        assertThat((Long) agent.get("ThrottleInterval")).isPositive();
        // docs/laptop.md installs it the way the plist's comment says
        String laptop = Files.readString(Path.of("docs/laptop.md"));
        assertThat(laptop).contains("sed \"s|@HOME@|$HOME|g\" packaging/launchd/dev.odin.odin.plist")
                .contains("launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/dev.odin.odin.plist")
                .contains("systemctl --user enable --now odin").contains("loginctl enable-linger")
                .contains("journalctl --user -u odin");
    }

    /** Every string value in a parsed property list. */
    static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            out.add(s);
        } else if (value instanceof List<?> l) {
            l.forEach(v -> out.addAll(strings(v)));
        } else if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> out.addAll(strings(v)));
        }
        return out;
    }

    @Test
    void theParserRefusesWhatIsNoPropertyList() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plist(
                "<plist version=\"1.0\"><dict><key>a</key></dict></plist>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AssertionError.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plist(
                "<plist version=\"1.0\"><dict><key>a</key><date>x</date></dict></plist>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AssertionError.class);
    }
}
