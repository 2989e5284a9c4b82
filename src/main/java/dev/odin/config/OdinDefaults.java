package dev.odin.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * The defaults of every {@code odin.*} setting, taken from the typed properties classes (their
 * field initialisers and {@code @DefaultValue}s, the one place a default is written) and added as
 * the environment's last property source, {@value #SOURCE}. So a placeholder elsewhere needs no
 * default of its own: {@code {{odin.probes.host.period}}} in a Camel route and
 * {@code ${odin.bind-address}} in application.yaml resolve to the Java default, and any other
 * source (an environment variable, application.yaml beside the jar, the command line) wins.
 *
 * <p>The classes are the {@code @ConfigurationProperties} groups the configuration metadata lists
 * (META-INF/spring-configuration-metadata.json, written by the configuration processor); each is
 * bound with no properties at all, which yields its defaults. Only scalar settings are added
 * (strings, numbers, booleans, enums, durations, sizes): a list keeps its default in its class.
 */
public final class OdinDefaults implements EnvironmentPostProcessor, Ordered {

    /** The name of the property source. */
    public static final String SOURCE = "odinDefaults";

    static final String METADATA = "META-INF/spring-configuration-metadata.json";

    @Override
    public int getOrder() {
        // right after application.yaml and the other config data are read, before the checks
        // (ExposureCheck, StartupChecks, TlsEnvironment) that read odin.* settings
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        ClassLoader loader = application.getClassLoader() != null ? application.getClassLoader()
                : OdinDefaults.class.getClassLoader();
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults(loader).forEach((key, value) -> {
            String text = text(value);
            if (text != null) {
                defaults.put(key, text);
            }
        });
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
    }

    /**
     * Each {@code odin.*} key of the metadata with its default value as the typed class holds it
     * (a Duration, DataSize, enum, list...); keys whose default is null are left out.
     */
    public static Map<String, Object> defaults(ClassLoader loader) {
        List<JsonNode> groups = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (JsonNode root : metadata(loader)) {
            for (JsonNode g : root.path("groups")) {
                String name = g.path("name").asText();
                // a top-level group: its own @ConfigurationProperties class, not a nested getter
                if ((name.equals("odin") || name.startsWith("odin.")) && g.path("sourceMethod").isMissingNode()) {
                    groups.add(g);
                }
            }
            for (JsonNode p : root.path("properties")) {
                String name = p.path("name").asText();
                if (name.startsWith("odin.") && !keys.contains(name)) {
                    keys.add(name);
                }
            }
        }
        Binder empty = new Binder(Collections.emptyList());
        Map<String, Object> instances = new LinkedHashMap<>();
        for (JsonNode g : groups) {
            String prefix = g.path("name").asText();
            Class<?> type;
            try {
                type = Class.forName(g.path("type").asText(), false, loader);
            } catch (ClassNotFoundException e) {
                continue;
            }
            instances.put(prefix, empty.bindOrCreate(prefix, Bindable.of(type)));
        }
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (String key : keys) {
            // the longest group prefix whose class has this property (odin.otlp.json.* is its own class)
            instances.entrySet().stream()
                    .filter(e -> key.startsWith(e.getKey() + "."))
                    .sorted((a, b) -> b.getKey().length() - a.getKey().length())
                    .map(e -> navigate(e.getValue(), key.substring(e.getKey().length() + 1)))
                    .filter(v -> v != MISSING)
                    .findFirst()
                    .ifPresent(v -> {
                        if (v != null) {
                            defaults.put(key, v);
                        }
                    });
        }
        return defaults;
    }

    /**
     * ODIN's configuration metadata file, parsed: the one beside ODIN's classes. The class path
     * holds 28 more (Spring Boot's, each Camel starter's: 1.2 MB of JSON against ODIN's 70 KB) that
     * declare no odin.* key; parsing them all, twice (here and in StartupChecks), was 5% of the
     * start's CPU (docs/benchmarks.md "Footprint"). Should no file lie beside ODIN's classes (a
     * repackaging that moved them), every one is read, as before.
     */
    static List<JsonNode> metadata(ClassLoader loader) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> roots = new ArrayList<>();
        try {
            List<URL> all = Collections.list(loader.getResources(METADATA));
            String own = ownRoot(loader);
            List<URL> read = own == null ? all
                    : all.stream().filter(u -> u.toString().equals(own + METADATA)).toList();
            for (URL url : read.isEmpty() ? all : read) {
                try (InputStream in = url.openStream()) {
                    roots.add(json.readTree(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return roots;
    }

    /** Where ODIN's classes are rooted ({@code file:.../classes/}, {@code jar:...!/BOOT-INF/classes/!/}). */
    private static String ownRoot(ClassLoader loader) {
        String self = OdinDefaults.class.getName().replace('.', '/') + ".class";
        URL url = loader.getResource(self);
        if (url == null) {
            return null;
        }
        String text = url.toString();
        return text.endsWith(self) ? text.substring(0, text.length() - self.length()) : null;
    }

    private static final Object MISSING = new Object();

    /** The value at a dotted, dashed path below an object ({@code grpc.max-message-size}). */
    private static Object navigate(Object target, String path) {
        Object current = target;
        for (String segment : path.split("\\.")) {
            if (current == null) {
                return MISSING;
            }
            current = property(current, segment);
            if (current == MISSING) {
                return MISSING;
            }
        }
        return current;
    }

    private static Object property(Object target, String segment) {
        String wanted = segment.replace("-", "").toLowerCase(Locale.ROOT);
        Class<?> type = target.getClass();
        try {
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    if (c.getName().toLowerCase(Locale.ROOT).equals(wanted)) {
                        Method accessor = c.getAccessor();
                        accessor.setAccessible(true);
                        return accessor.invoke(target);
                    }
                }
                return MISSING;
            }
            for (Method m : type.getMethods()) {
                if (m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
                    continue;
                }
                String name = m.getName().toLowerCase(Locale.ROOT);
                if (name.equals("get" + wanted) || (name.equals("is" + wanted)
                        && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class))) {
                    m.setAccessible(true);
                    return m.invoke(target);
                }
            }
            return MISSING;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the default of " + segment + " from " + type, e);
        }
    }

    /**
     * A default as a property value both Spring and Camel read back as the same value
     * ({@code 15000ms}, {@code 67108864B}, {@code PROTOBUF}); null for a list, map or nested object.
     */
    static String text(Object value) {
        if (value instanceof Duration d) {
            return d.equals(Duration.ofMillis(d.toMillis())) ? d.toMillis() + "ms" : d.toNanos() + "ns";
        }
        if (value instanceof DataSize s) {
            return s.toBytes() + "B";
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof Character) {
            return value.toString();
        }
        if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
            return null;
        }
        return null;
    }
}
