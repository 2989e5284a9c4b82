package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * docs/configuration.md against the configuration metadata the build generates from the typed
 * properties classes (META-INF/spring-configuration-metadata.json): every odin.* key documented
 * once, no documented key that does not exist, each documented default the metadata's, each
 * environment variable the relaxed-binding form, each key described in its javadoc.
 *
 * <p>The doc's tables have the header {@code | property | environment | default | meaning |}; a
 * row documents one key, {@code `odin.x.y`}. Its environment cell is {@code `ODIN_X_Y`} (for a
 * list or map: its elements' variables, {@code `ODIN_X_Y_0`, ...}). Its default cell starts with
 * the default in backticks ({@code `15s`}), or says {@code empty}, or describes in words what the
 * empty default means ("the host name"); a list's default is described in words.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final String HEADER = "| property | environment | default | meaning |";

    /** A metadata property. */
    record Key(String name, String type, String defaultValue, String description) {
        boolean collection() {
            return type.startsWith("java.util.List") || type.startsWith("java.util.Map")
                    || type.startsWith("java.util.Set") || type.endsWith("[]");
        }
    }

    /** A table row of the doc. */
    record Row(int line, String property, String environment, String defaultCell) {
    }

    private static Map<String, Key> metadata;
    private static List<Row> rows;

    @BeforeAll
    static void read() throws IOException {
        metadata = new LinkedHashMap<>();
        for (JsonNode root : OdinDefaults.metadata(ConfigurationDocsTest.class.getClassLoader())) {
            for (JsonNode p : root.path("properties")) {
                String name = p.path("name").asText();
                if (name.startsWith("odin.")) {
                    JsonNode d = p.path("defaultValue");
                    metadata.putIfAbsent(name, new Key(name, p.path("type").asText(""),
                            d.isMissingNode() || d.isNull() ? null : d.isArray() ? d.toString() : d.asText(),
                            p.path("description").asText("")));
                }
            }
        }
        rows = rows(Files.readAllLines(DOC));
    }

    /** The rows of every property table whose first cell names an odin.* key. */
    static List<Row> rows(List<String> lines) {
        List<Row> found = new ArrayList<>();
        boolean inTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.equals(HEADER)) {
                inTable = true;
                continue;
            }
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            List<String> cells = cells(line);
            if (cells.size() != 4) {
                found.add(new Row(i + 1, "(a row of " + cells.size() + " cells, not 4: " + line + ")", "", ""));
                continue;
            }
            if (cells.get(0).contains("`odin.")) {
                found.add(new Row(i + 1, cells.get(0), cells.get(1), cells.get(2)));
            }
        }
        return found;
    }

    /** The cells of a table row; a '|' inside backticks belongs to its cell. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '`') {
                code = !code;
            }
            if (c == '|' && !code && (i == 0 || line.charAt(i - 1) != '\\')) {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return cells;
    }

    private static List<String> code(String cell) {
        List<String> spans = new ArrayList<>();
        Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    private static String where(Row r) {
        return DOC + " line " + r.line() + ": ";
    }

    @Test
    void theMetadataHasTheKeysItShould() {
        assertThat(metadata).as("odin.* keys in the configuration metadata (is the configuration processor on?)")
                .hasSizeGreaterThan(100)
                .containsKeys("odin.bind-address", "odin.routes.include", "odin.probes.host.enabled",
                        "odin.probes.power.enabled", "odin.otlp.json.max-string-length", "odin.claude.budgets");
        assertThat(rows).hasSizeGreaterThan(100);
    }

    @Test
    void everyKeyHasADescription() {
        assertThat(metadata.values().stream().filter(k -> k.description().isBlank())
                .map(k -> k.name() + " has no description: give its field a javadoc comment (a record: an @param"
                        + " of its class javadoc)"))
                .isEmpty();
    }

    @Test
    void everyScalarKeyHasADefaultInTheMetadataAndItIsTheJavaDefault() {
        Map<String, Object> actual = OdinDefaults.defaults(getClass().getClassLoader());
        List<String> problems = new ArrayList<>();
        for (Key k : metadata.values()) {
            if (k.collection()) {
                continue;
            }
            if (k.defaultValue() == null && nestedObject(k.type())) {
                problems.add(k.name() + " is an object of type " + k.type() + " listed as one setting: annotate"
                        + " its field (or record component) @NestedConfigurationProperty so that its own keys are"
                        + " in the metadata");
            } else if (k.defaultValue() == null) {
                problems.add(k.name() + " has no default in the metadata: initialise its field with a literal,"
                        + " Duration.ofX(n) or DataSize.ofX(n) (a record: @DefaultValue), not a constant or a"
                        + " constructor argument, so the configuration processor sees it");
            } else if (!actual.containsKey(k.name())) {
                problems.add(k.name() + ": metadata default " + k.defaultValue() + " but its class has none");
            } else if (!same(k, k.defaultValue(), OdinDefaults.text(actual.get(k.name())))) {
                problems.add(k.name() + ": metadata default " + k.defaultValue() + " but its class holds "
                        + actual.get(k.name()));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyKeyIsDocumentedOnceAndEveryDocumentedKeyExists() {
        List<String> problems = new ArrayList<>();
        Map<String, Row> documented = new LinkedHashMap<>();
        for (Row r : rows) {
            List<String> names = code(r.property());
            if (names.size() != 1 || !names.get(0).startsWith("odin.")) {
                problems.add(where(r) + "the property cell must name one odin.* key in backticks, not "
                        + r.property());
                continue;
            }
            String name = names.get(0);
            Row before = documented.putIfAbsent(name, r);
            if (before != null) {
                problems.add(where(r) + name + " is documented again (first on line " + before.line() + ")");
            }
            if (!metadata.containsKey(name)) {
                problems.add(where(r) + name + " is documented but no such setting exists in the metadata");
            }
        }
        for (Key k : metadata.values()) {
            if (!documented.containsKey(k.name())) {
                problems.add(k.name() + " (" + Settings.env(k.name()) + ", default "
                        + Objects.requireNonNullElse(k.defaultValue(), "none") + ": " + k.description()
                        + ") is not documented in " + DOC + ": add a row to the table of its section");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDocumentedEnvironmentVariableIsTheRelaxedBindingForm() {
        List<String> problems = new ArrayList<>();
        for (Row r : rows) {
            List<String> names = code(r.property());
            Key k = names.size() == 1 ? metadata.get(names.get(0)) : null;
            if (k == null) {
                continue; // reported by everyKeyIsDocumentedOnce...
            }
            String env = Settings.env(k.name());
            List<String> variables = code(r.environment());
            if (variables.isEmpty()) {
                problems.add(where(r) + k.name() + ": the environment cell names no variable; it is " + env
                        + (k.collection() ? "_0..." : ""));
            } else if (k.collection()) {
                for (String v : variables) {
                    if (!v.startsWith(env + "_")) {
                        problems.add(where(r) + k.name() + ": " + v + " is not an element variable " + env + "_...");
                    }
                }
            } else if (!variables.equals(List.of(env))) {
                problems.add(where(r) + k.name() + ": environment " + variables + " but Spring Boot binds " + env);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsTheMetadataDefault() {
        List<String> problems = new ArrayList<>();
        for (Row r : rows) {
            List<String> names = code(r.property());
            Key k = names.size() == 1 ? metadata.get(names.get(0)) : null;
            if (k == null) {
                continue;
            }
            String cell = r.defaultCell();
            String meta = k.defaultValue();
            if (cell.startsWith("`")) {
                String documented = code(cell).get(0);
                if (k.collection()) {
                    problems.add(where(r) + k.name() + " is a list: describe its default in words, not `"
                            + documented + "`");
                } else if (meta == null) {
                    problems.add(where(r) + k.name() + ": documented default `" + documented
                            + "` but the metadata has none");
                } else if (!same(k, documented, meta)) {
                    problems.add(where(r) + k.name() + ": documented default `" + documented
                            + "` but the metadata default is `" + meta + "`");
                }
            } else if (meta != null && !meta.isEmpty() && !meta.equals("[]")) {
                // words ("empty", "the host name") describe an empty default only
                problems.add(where(r) + k.name() + ": documented default \"" + cell
                        + "\" but the metadata default is `" + meta + "`: write it in backticks");
            } else if (cell.isBlank()) {
                problems.add(where(r) + k.name() + ": the default cell is blank; write `value`, empty, or what"
                        + " the empty default means");
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Whether two written forms of a default are the same value of the key's type. */
    static boolean same(Key k, String a, String b) {
        if (a == null || b == null) {
            return Objects.equals(a, b);
        }
        try {
            switch (k.type()) {
                case "java.time.Duration":
                    return DurationStyle.detectAndParse(a).equals(DurationStyle.detectAndParse(b));
                case "org.springframework.util.unit.DataSize":
                    return DataSize.parse(a).equals(DataSize.parse(b));
                case "java.lang.Boolean", "boolean":
                    return a.equalsIgnoreCase(b);
                case "java.lang.Integer", "java.lang.Long", "java.lang.Double", "java.lang.Float",
                        "java.math.BigDecimal", "int", "long", "double":
                    return new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
                case "java.lang.String":
                    return a.equals(b);
                default:
                    // an enum: the metadata writes it in kebab case, the doc and the class in upper case
                    return enumForm(a).equals(enumForm(b));
            }
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A type the binder treats as an object with keys of its own (not a value, enum or collection). */
    private static boolean nestedObject(String type) {
        try {
            Class<?> c = Class.forName(type.replaceAll("<.*", ""), false, ConfigurationDocsTest.class.getClassLoader());
            return !c.isEnum() && !c.isPrimitive() && !c.getName().startsWith("java.")
                    && c != DataSize.class && !c.getName().startsWith("org.springframework.util.unit.");
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String enumForm(String s) {
        return s.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Test
    void theCheckNoticesAWrongDefaultAnUnknownKeyAndAWrongVariable() {
        List<Row> sample = rows(List.of(HEADER, "|---|---|---|---|",
                "| `odin.metrics.series-expiry` | `ODIN_METRICS_SERIESEXPIRY` | `30m` | x |",
                "| `odin.a|b` | `X` | `1` | a regex `a|b` keeps its bar |"));
        assertThat(sample).hasSize(2);
        assertThat(sample.get(1).property()).isEqualTo("`odin.a|b`");
        Key expiry = new Key("odin.metrics.series-expiry", "java.time.Duration", "30m", "d");
        assertThat(same(expiry, "30m", "1800000ms")).isTrue();
        assertThat(same(expiry, "5m", "30m")).isFalse();
        Key size = new Key("odin.loki.queue-max-size", "org.springframework.util.unit.DataSize", "1024MB", "d");
        assertThat(same(size, "1GB", "1024MB")).isTrue();
        Key naming = new Key("odin.loki.format", "dev.odin.exporter.loki.LokiProperties$Format", "protobuf", "d");
        assertThat(same(naming, "PROTOBUF", "protobuf")).isTrue();
        assertThat(same(naming, "JSON", "protobuf")).isFalse();
        assertThat(metadata).doesNotContainKey("odin.a|b");
        assertThat(nestedObject("dev.odin.receiver.otlp.AuthProperties")).isTrue();
        assertThat(nestedObject("dev.odin.exporter.loki.LokiProperties$Format")).isFalse();
        assertThat(nestedObject("java.time.Duration")).isFalse();
    }
}
