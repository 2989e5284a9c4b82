package dev.odin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The recipes of docs/routes.md, applied as an operator would: each recipe is one fenced yaml
 * block after {@code <!-- recipe: <id> -->}, holding complete route-file items. Applying it takes
 * the default routes/ files and, for each item of the snippet, replaces the item of the same kind
 * with the same id (route, routeConfiguration, routeTemplate ...) or appends it when none has it.
 */
public final class RouteRecipes {

    private static final Path DOC = Path.of("docs/routes.md");
    private static final Path ROUTES = Path.of("routes");

    private RouteRecipes() {
    }

    /** The YAML text of the recipe {@code id}, verbatim from docs/routes.md. */
    public static String snippet(String id) {
        String doc;
        try {
            doc = Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String marker = "<!-- recipe: " + id + " -->";
        int at = doc.indexOf(marker);
        if (at < 0) {
            throw new IllegalArgumentException("docs/routes.md has no recipe " + id);
        }
        if (doc.indexOf(marker, at + marker.length()) >= 0) {
            throw new IllegalArgumentException("docs/routes.md has recipe " + id + " twice");
        }
        int fence = doc.indexOf("```yaml\n", at);
        int between = doc.indexOf("<!-- recipe:", at + marker.length());
        if (fence < 0 || (between >= 0 && between < fence)) {
            throw new IllegalArgumentException("recipe " + id + " has no ```yaml block after its marker");
        }
        int start = fence + "```yaml\n".length();
        int end = doc.indexOf("\n```", start);
        if (end < 0) {
            throw new IllegalArgumentException("recipe " + id + ": the ```yaml block does not end");
        }
        return doc.substring(start, end + 1);
    }

    /**
     * Copies routes/*.yaml into {@code dir}, applies the recipes in order, and returns {@code dir}
     * (for {@code odin.routes.include=file:<dir>/*.yaml}).
     */
    public static Path apply(Path dir, String... ids) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(ROUTES)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml"))::iterator) {
                    Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (String id : ids) {
                applyOne(dir, id);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Yaml yaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        return new Yaml(options);
    }

    @SuppressWarnings("unchecked")
    private static void applyOne(Path dir, String id) throws IOException {
        List<Object> items = yaml().load(snippet(id));
        if (items == null || items.isEmpty()) {
            throw new IllegalArgumentException("recipe " + id + " holds no route-file items");
        }
        List<Object> appended = new ArrayList<>();
        for (Object item : items) {
            String key = key(item, id);
            if (!replace(dir, key, item)) {
                appended.add(item);
            }
        }
        if (!appended.isEmpty()) {
            Files.writeString(dir.resolve("recipe-" + id + ".yaml"), yaml().dump(appended));
        }
    }

    /** kind/id of a route-file item, such as route/otlp-traces. */
    @SuppressWarnings("unchecked")
    private static String key(Object item, String recipe) {
        if (!(item instanceof Map<?, ?> m) || m.size() != 1) {
            throw new IllegalArgumentException("recipe " + recipe + ": an item is not one route-file element: " + item);
        }
        Map.Entry<String, Object> e = ((Map<String, Object>) m).entrySet().iterator().next();
        Object itemId = e.getValue() instanceof Map<?, ?> body ? body.get("id") : null;
        return e.getKey() + "/" + itemId;
    }

    @SuppressWarnings("unchecked")
    private static boolean replace(Path dir, String key, Object item) throws IOException {
        if (key.endsWith("/null")) {
            return false; // an item without an id is always added
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml")).sorted()::iterator) {
                List<Object> existing = yaml().load(Files.readString(f));
                if (existing == null) {
                    continue;
                }
                for (int i = 0; i < existing.size(); i++) {
                    Object old = existing.get(i);
                    if (old instanceof Map<?, ?> m && m.size() == 1 && key(old, "").equals(key)) {
                        existing.set(i, item);
                        Files.writeString(f, yaml().dump(existing));
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
