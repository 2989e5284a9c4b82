package dev.odin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The recipes of docs/routes.md, applied as an operator would: each recipe is one fenced yaml
 * block after {@code <!-- recipe: id -->}, holding complete route-file items. Applying it to the
 * default routes/ files replaces each item with the same kind and id (route, routeConfiguration,
 * routeTemplate ...) and appends the items no file has, in a file of their own.
 */
public final class RouteRecipes {

    private static final Path DOC = Path.of("docs/routes.md");
    private static final Path ROUTES = Path.of("routes");

    private RouteRecipes() {
    }

    /** The YAML text of the recipe, verbatim from docs/routes.md. */
    public static String snippet(String id) {
        String doc;
        try {
            doc = Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("<!-- recipe: " + Pattern.quote(id) + " -->\\s*```yaml\\n(.*?)```",
                Pattern.DOTALL).matcher(doc);
        if (!m.find()) {
            throw new IllegalArgumentException("docs/routes.md has no recipe " + id
                    + " (<!-- recipe: " + id + " --> followed by a ```yaml block)");
        }
        String yaml = m.group(1);
        if (m.find()) {
            throw new IllegalArgumentException("docs/routes.md has recipe " + id + " twice");
        }
        return yaml;
    }

    /**
     * Copies routes/*.yaml into dir, applies the recipes in order, and returns dir (for
     * {@code odin.routes.include=file:<dir>/*.yaml}).
     */
    public static Path apply(Path dir, String... ids) {
        try {
            Files.createDirectories(dir);
            Map<Path, List<Object>> files = new LinkedHashMap<>();
            Map<Path, Boolean> changed = new LinkedHashMap<>();
            try (Stream<Path> list = Files.list(ROUTES)) {
                for (Path f : list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Object items = new Yaml().load(Files.readString(f));
                    files.put(dir.resolve(f.getFileName()), items == null ? new ArrayList<>() : asList(items, f.toString()));
                    changed.put(dir.resolve(f.getFileName()), false);
                }
            }
            Path added = dir.resolve("zz-recipes.yaml");
            List<Object> appended = new ArrayList<>();
            for (String id : ids) {
                for (Object item : asList(new Yaml().load(snippet(id)), "recipe " + id)) {
                    String key = key(item);
                    boolean replaced = false;
                    for (Map.Entry<Path, List<Object>> file : files.entrySet()) {
                        List<Object> items = file.getValue();
                        for (int i = 0; i < items.size(); i++) {
                            if (key != null && key.equals(key(items.get(i)))) {
                                items.set(i, item);
                                changed.put(file.getKey(), true);
                                replaced = true;
                            }
                        }
                    }
                    if (!replaced) {
                        int same = -1;
                        for (int i = 0; i < appended.size(); i++) {
                            if (key != null && key.equals(key(appended.get(i)))) {
                                same = i;
                            }
                        }
                        if (same >= 0) {
                            appended.set(same, item);
                        } else {
                            appended.add(item);
                        }
                    }
                }
            }
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            Yaml out = new Yaml(options);
            for (Map.Entry<Path, List<Object>> file : files.entrySet()) {
                if (changed.get(file.getKey())) {
                    Files.writeString(file.getKey(), out.dump(file.getValue()));
                }
            }
            if (!appended.isEmpty()) {
                Files.writeString(added, out.dump(appended));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object yaml, String where) {
        if (!(yaml instanceof List)) {
            throw new IllegalArgumentException(where + " is not a list of route-file items");
        }
        return new ArrayList<>((List<Object>) yaml);
    }

    /** kind/id of an item such as {route: {id: x, ...}}; null for one without an id. */
    private static String key(Object item) {
        if (item instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> e = map.entrySet().iterator().next();
            if (e.getValue() instanceof Map<?, ?> body && body.get("id") != null) {
                return e.getKey() + "/" + body.get("id");
            }
        }
        return null;
    }
}
