package dev.odin.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * How far each transcript file has been read, kept in a JSON file so that a restart goes on
 * where it stopped instead of counting everything again. Each entry also remembers a hash of the
 * file's first line: a file whose first line changed was rewritten (or replaced under the same
 * name) and is read again from the start; one shorter than its offset was truncated, likewise.
 */
public final class TranscriptOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where reading stopped in one file, and the first line's hash it was read with. */
    public record Position(long offset, long headHash) {
    }

    private final Path file;
    private final Map<String, Position> positions = new HashMap<>();

    public TranscriptOffsets(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            var root = JSON.readTree(file.toFile());
            root.fields().forEachRemaining(e -> positions.put(e.getKey(),
                    new Position(e.getValue().path("offset").asLong(), e.getValue().path("head").asLong())));
        }
    }

    public synchronized Position get(String path) {
        return positions.get(path);
    }

    public synchronized void put(String path, Position p) {
        positions.put(path, p);
    }

    public synchronized int size() {
        return positions.size();
    }

    /** Forgets files that no longer exist, so the map does not outgrow the directory. */
    public synchronized void retainExisting() {
        positions.keySet().removeIf(p -> !Files.exists(Path.of(p)));
    }

    /** Written to a temporary file and moved into place: a crash leaves the old or the new one. */
    public synchronized void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        positions.forEach((k, v) -> root.putObject(k).put("offset", v.offset()).put("head", v.headHash()));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
