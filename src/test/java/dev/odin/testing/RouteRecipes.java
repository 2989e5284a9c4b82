package dev.odin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The recipes of docs/routes.md, applied as an operator would: each recipe is a
 * {@code <!-- recipe: id -->} comment and the one fenced yaml block after it, holding route-file
 * items; applying it to the default routes/ replaces each item with the same id (route,
 * routeConfiguration, routeTemplate...) or, when none has it, adds the item.
 */
public final class RouteRecipes {

    private static final Path DOC = Path.of("docs", "routes.md");
    private static final Path ROUTES = Path.of("routes");
    private static final Pattern RECIPE = Pattern.compile("<!-- recipe: ([A-Za-z0-9_.-]+) -->\\s*```yaml\\n(.*?)```",
            Pattern.DOTALL);

    private RouteRecipes() {
    }

    /** The YAML text of the recipe from docs/routes.md. */
    public static String snippet(String id) {
        try {
            Matcher m = RECIPE.matcher(Files.readString(DOC));
            String found = null;
            while (m.find()) {
                if (m.group(1).equals(id)) {
                    if (found != null) {
                        throw new AssertionError("recipe " + id + " is in " + DOC + " twice");
                    }
                    found = m.group(2);
                }
            }
            if (found == null) {
                throw new AssertionError("no recipe " + id + " in " + DOC);
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies routes/*.yaml into {@code dir}, applies the recipes and returns {@code dir} (use it with
     * {@code odin.routes.include=file:<dir>/*.yaml}).
     */
    public static Path apply(Path dir, String... ids) {
        Yaml yaml = yaml();
        try {
            Files.createDirectories(dir);
            Map<String, List<Object>> files = new TreeMap<>();
            try (Stream<Path> list = Files.list(ROUTES)) {
                for (Path f : (Iterable<Path>) list.filter(p -> p.toString().endsWith(".yaml")).sorted()::iterator) {
                    List<Object> items = yaml.load(Files.readString(f));
                    files.put(f.getFileName().toString(), items == null ? new ArrayList<>() : new ArrayList<>(items));
                }
            }
            List<Object> added = new ArrayList<>();
            for (String id : ids) {
                List<Object> items = yaml.load(snippet(id));
                for (Object item : items) {
                    String key = key(item);
                    boolean replaced = false;
                    for (List<Object> fileItems : files.values()) {
                        for (int i = 0; i < fileItems.size() && !replaced; i++) {
                            if (key != null && key.equals(key(fileItems.get(i)))) {
                                fileItems.set(i, item);
                                replaced = true;
                            }
                        }
                    }
                    if (!replaced) {
                        for (int i = 0; i < added.size() && !replaced; i++) {
                            if (key != null && key.equals(key(added.get(i)))) {
                                added.set(i, item);
                                replaced = true;
                            }
                        }
                    }
                    if (!replaced) {
                        added.add(item);
                    }
                }
            }
            for (Map.Entry<String, List<Object>> f : files.entrySet()) {
                Files.writeString(dir.resolve(f.getKey()), yaml.dump(f.getValue()));
            }
            if (!added.isEmpty()) {
                Files.writeString(dir.resolve("zz-recipes.yaml"), yaml.dump(added));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kind/id of a route-file item ({@code route/otlp-logs}); null when it has no id. */
    @SuppressWarnings("unchecked")
    private static String key(Object item) {
        if (item instanceof Map<?, ?> m && m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            if (e.getValue() instanceof Map<?, ?> body && body.get("id") != null) {
                return e.getKey() + "/" + body.get("id");
            }
        }
        return null;
    }

    private static Yaml yaml() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(200);
        return new Yaml(o);
    }
}
