package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What can be checked while the configuration is read, before any bean or listener exists (so
 * that a refusal is the one line the failure analyzer prints):
 * <ul>
 * <li>{@code odin.data-dir} is a directory ODIN can create and write to, or the start is refused;
 * unset, it is the platform's per-user data directory ({@link PlatformDataDir});
 * <li>each pattern of {@code odin.routes.include} matches route files, and they are YAML;
 * <li>every {@code ODIN_*} environment variable and every {@code odin.*} property is a setting ODIN
 * knows; one that is not (a misspelling, which Spring Boot would silently ignore) gets a WARN naming
 * the nearest known one.
 * </ul>
 */
public final class StartupChecks implements EnvironmentPostProcessor {

    /** The property source of the application.yaml the jar carries: its keys are known settings. */
    private static final String EMBEDDED_YAML = "class path resource [application.yaml]";

    private final Log log;

    public StartupChecks(DeferredLogFactory logs) {
        this.log = logs.getLog(StartupChecks.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        checkDataDir(dataDir(environment, binder.bind("odin.data-dir", String.class).orElse(""), log));
        checkRouteFiles(binder.bind("camel.main.routes-include-pattern", String.class).orElse(null));
        checkTranscriptsDir(environment, binder.bind("odin.claude.transcripts-enabled", Boolean.class).orElse(true),
                binder.bind("odin.claude.transcripts-dir", String.class).orElse(""));
        ClassLoader loader = application.getClassLoader() != null ? application.getClassLoader()
                : StartupChecks.class.getClassLoader();
        for (String warning : unknownSettings(environment, loader)) {
            log.warn(warning);
        }
    }

    /** The property source that holds the platform's data directory when odin.data-dir is not set. */
    static final String PLATFORM_DATA_DIR = "odinPlatformDataDir";

    /**
     * {@code odin.data-dir} as configured, or when it is not (or blank) the platform's data
     * directory ({@link PlatformDataDir}), put first in the environment so that every reader of
     * the setting sees it; a WARN when ./data of the working directory holds an earlier start's data.
     */
    static String dataDir(ConfigurableEnvironment environment, String configured, Log log) {
        if (!configured.isBlank()) {
            return configured;
        }
        String platform = PlatformDataDir.forThisProcess();
        environment.getPropertySources().remove(PLATFORM_DATA_DIR);
        environment.getPropertySources().addFirst(new MapPropertySource(PLATFORM_DATA_DIR,
                java.util.Map.of("odin.data-dir", platform)));
        PlatformDataDir.legacyWarning(Path.of("data"), Path.of(platform)).ifPresent(log::warn);
        return platform;
    }

    /** Creates the data directory if needed and proves it writable, or refuses to start. */
    static void checkDataDir(String configured) {
        String setting = Settings.named("odin.data-dir");
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new RefusedStartException(setting + " " + dir + " is not a directory: set " + setting
                        + " to a directory ODIN may write to");
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".odin-start-", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new RefusedStartException(setting + " " + dir + " is not usable (" + reason(e) + "): set "
                    + setting + " to a directory ODIN may create and write to");
        }
    }

    /** The property source that stands in for an unusable transcripts directory while transcripts are off. */
    static final String TRANSCRIPTS_OFF = "odinTranscriptsOff";

    /**
     * The transcripts directory is the path of a Camel file endpoint URI: a '?' or '#' in it would
     * start the URI's options (an account without a home directory, e.g. a container run with an
     * arbitrary UID, has user.home "?", which made the default "?/.claude/projects"), and the route
     * would fail to be created with Camel's words. Followed, such a directory refuses the start;
     * not followed (the gateway), the route is created but never started, so a plain path stands in.
     */
    static void checkTranscriptsDir(ConfigurableEnvironment environment, boolean enabled, String dir) {
        if (dir.indexOf('?') < 0 && dir.indexOf('#') < 0) {
            return;
        }
        String setting = Settings.named("odin.claude.transcripts-dir");
        if (enabled) {
            throw new RefusedStartException(setting + " \"" + dir + "\" has a '?' or '#'"
                    + (dir.startsWith("?") ? " (the account has no home directory)" : "") + ": set " + setting
                    + " to the directory Claude Code writes transcripts under, or "
                    + Settings.named("odin.claude.transcripts-enabled") + " to false");
        }
        environment.getPropertySources().remove(TRANSCRIPTS_OFF);
        environment.getPropertySources().addFirst(new MapPropertySource(TRANSCRIPTS_OFF,
                java.util.Map.of("odin.claude.transcripts-dir", "/nonexistent/odin-transcripts-off")));
    }

    /**
     * Every pattern in the route include list matches at least one file, and each is YAML; what
     * the YAML means is Camel's to check ({@link RouteLoadingAnalyzer} words its refusals).
     */
    static void checkRouteFiles(String include) {
        if (include == null || include.isBlank()) {
            return;
        }
        String setting = Settings.named("odin.routes.include");
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        for (String pattern : include.split(",")) {
            String p = pattern.trim();
            if (p.isEmpty()) {
                continue;
            }
            Resource[] files;
            try {
                files = resolver.getResources(p);
            } catch (IOException e) {
                throw new RefusedStartException(setting + " " + p + " cannot be listed (" + reason(e) + "): set "
                        + setting + " to the route files, e.g. file:/etc/odin/routes/*.yaml");
            }
            List<Resource> existing = new ArrayList<>();
            for (Resource r : files) {
                if (r.exists()) {
                    existing.add(r);
                }
            }
            if (existing.isEmpty()) {
                throw new RefusedStartException(setting + " " + p + " matches no route file: set " + setting
                        + " to where the route files are, e.g. file:/etc/odin/routes/*.yaml (all of them:"
                        + " the ones given replace the built-in set)");
            }
            for (Resource r : existing) {
                checkYaml(r, setting);
            }
        }
    }

    private static void checkYaml(Resource file, String setting) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (InputStream in = file.getInputStream()) {
            for (Object ignored : yaml.loadAll(in)) {
                // parsing is the check
            }
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new RefusedStartException("route file " + describe(file) + " (" + setting + ") is not valid YAML"
                    + (m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    + ": " + e.getProblem() + "; fix the file or point " + setting + " elsewhere");
        } catch (YAMLException | IOException e) {
            throw new RefusedStartException("route file " + describe(file) + " (" + setting + ") cannot be read: "
                    + e.getMessage().lines().findFirst().orElse("") + "; fix the file or point " + setting
                    + " elsewhere");
        }
    }

    private static String describe(Resource r) {
        try {
            return r.getURI().toString();
        } catch (IOException e) {
            return r.getDescription();
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " on " + f.getFile());
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * The launcher's own variables (bin/odin: which jar, JVM options, the class data sharing
     * archive) and the benchmark scripts': read before the JVM starts, never settings.
     */
    static final java.util.Set<String> LAUNCHER_VARIABLES = java.util.Set.of("ODIN_JAR", "ODIN_JAVA_OPTS", "ODIN_CDS",
            "ODIN_CDS_DIR", "ODIN_BENCH_JAR", "ODIN_BENCH_JAVA_OPTS", "ODIN_BENCH_REPORT");

    /** One warning for each ODIN_* variable and odin.* property that names no known setting. */
    static List<String> unknownSettings(ConfigurableEnvironment environment, ClassLoader loader) {
        List<String> embeddedKeys = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source.getName().contains(EMBEDDED_YAML) && source instanceof EnumerablePropertySource<?> e) {
                embeddedKeys.addAll(List.of(e.getPropertyNames()));
            }
        }
        Settings settings = Settings.load(loader, embeddedKeys);
        List<String> warnings = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> e) || source.getName().contains(EMBEDDED_YAML)
                    || source.getName().equals(OdinDefaults.SOURCE)) {
                continue;
            }
            boolean env = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName());
            for (String name : e.getPropertyNames()) {
                if (env && name.startsWith("ODIN_") && !settings.knowsEnv(name) && !LAUNCHER_VARIABLES.contains(name)) {
                    warnings.add("environment variable " + name + " is not an ODIN setting and is ignored"
                            + settings.nearestToEnv(name).map(k -> "; did you mean " + k.env() + " ("
                                    + k.name() + ")?").orElse(""));
                } else if (!env && name.startsWith("odin.") && !settings.knowsProperty(name)) {
                    warnings.add("property " + name + " (" + source.getName() + ") is not an ODIN setting and is"
                            + " ignored" + settings.nearestToProperty(name).map(k -> "; did you mean " + k.name()
                                    + " (" + k.env() + ")?").orElse(""));
                }
            }
        }
        return warnings;
    }
}
