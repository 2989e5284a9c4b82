package dev.odin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The recipes of docs/routes.md, as an operator applies them: each is the one ```yaml block after
 * {@code <!-- recipe: <id> -->}, holding complete route-file items. Applying one takes the default
 * routes/ files and, for each item of the snippet, replaces the item with the same id (a route's
 * or templatedRoute's route id, a routeConfiguration's id, a routeTemplate's id) or, when none has
 * it, appends the item (in a file of its own).
 */
public final class RouteRecipes {

    private static final Path DOC = Path.of("docs/routes.md");
    private static final Path ROUTES = Path.of("routes");

    private RouteRecipes() {
    }

    /** The YAML text of the recipe from docs/routes.md. */
    public static String snippet(String id) {
        String doc;
        try {
            doc = Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("<!-- recipe: " + Pattern.quote(id) + " -->\\s*\\n```yaml\\n(.*?)\\n```",
                Pattern.DOTALL).matcher(doc);
        if (!m.find()) {
            throw new IllegalArgumentException("docs/routes.md has no recipe " + id
                    + " (<!-- recipe: " + id + " --> followed by a ```yaml block)");
        }
        String yaml = m.group(1) + "\n";
        if (m.find()) {
            throw new IllegalArgumentException("docs/routes.md has recipe " + id + " twice");
        }
        return yaml;
    }

    /**
     * Copies routes/*.yaml into {@code dir}, applies the recipes, returns {@code dir} (use with
     * odin.routes.include=file:dir/*.yaml).
     */
    public static Path apply(Path dir, String... ids) {
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>();
            try (Stream<Path> shipped = Files.list(ROUTES)) {
                for (Path f : (Iterable<Path>) shipped.filter(p -> p.toString().endsWith(".yaml")).sorted()::iterator) {
                    files.add(Files.copy(f, dir.resolve(f.getFileName().toString()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING));
                }
            }
            for (String id : ids) {
                List<Object> items = items(snippet(id), "recipe " + id);
                List<Object> appended = new ArrayList<>();
                for (Object item : items) {
                    String key = key(item, "recipe " + id);
                    boolean replaced = false;
                    for (Path f : files) {
                        List<Object> content = items(Files.readString(f), f.toString());
                        for (int i = 0; i < content.size(); i++) {
                            if (key.equals(key(content.get(i), f.toString()))) {
                                content.set(i, item);
                                replaced = true;
                            }
                        }
                        if (replaced) {
                            Files.writeString(f, yaml().dump(content));
                            break;
                        }
                    }
                    if (!replaced) {
                        appended.add(item);
                    }
                }
                if (!appended.isEmpty()) {
                    Path f = dir.resolve("recipe-" + id + ".yaml");
                    Files.writeString(f, yaml().dump(appended));
                    files.add(f);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> items(String text, String what) {
        Object loaded = yaml().load(text);
        if (loaded == null) {
            return new ArrayList<>();
        }
        if (!(loaded instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " is not a YAML list of route-file items");
        }
        return new ArrayList<>((List<Object>) l);
    }

    /** route:x and templatedRoute routeId x are one key (both make route x); the others by kind. */
    private static String key(Object item, String what) {
        if (!(item instanceof Map<?, ?> m) || m.size() != 1) {
            throw new IllegalArgumentException(what + ": an item is not a one-key map (route:, routeTemplate:...)");
        }
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        String kind = String.valueOf(e.getKey());
        Object body = e.getValue();
        Object id = body instanceof Map<?, ?> b ? b.get(kind.equals("templatedRoute") ? "routeId" : "id") : null;
        if (id == null) {
            // items without an id (onException, ...) are never replaced: a unique key
            return kind + "@" + System.identityHashCode(item);
        }
        String namespace = kind.equals("templatedRoute") ? "route" : kind;
        return namespace + ":" + id;
    }

    private static Yaml yaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options);
    }
}
