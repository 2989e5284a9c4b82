package dev.odin.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every counted request, one JSON line each, in one file per UTC day under
 * {@code <data-dir>/usage/}: the history the usage API reports from (days, sessions, 5-hour
 * blocks need per-request times, which no metric keeps). Reading streams the files a query
 * needs; nothing of the history is held in memory. Files older than the retention are deleted.
 * {@code repository} and {@code branch} are written when known; lines written before they existed
 * read as empty ones.
 */
public final class UsageStore {

    private static final Logger log = LoggerFactory.getLogger(UsageStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private final Path dir;
    private final int retentionDays;

    public UsageStore(Path dir, int retentionDays) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.retentionDays = retentionDays;
    }

    public synchronized void append(List<UsageEvent> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        LocalDate day = null;
        Writer w = null;
        try {
            for (UsageEvent e : events) {
                LocalDate d = e.timestamp().atZone(ZoneOffset.UTC).toLocalDate();
                if (!d.equals(day)) {
                    if (w != null) {
                        w.close();
                    }
                    day = d;
                    w = Files.newBufferedWriter(file(d), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                w.write(line(e));
                w.write('\n');
            }
        } finally {
            if (w != null) {
                w.close();
            }
        }
    }

    private Path file(LocalDate day) {
        return dir.resolve(day + ".jsonl");
    }

    static String line(UsageEvent e) throws IOException {
        StringWriter s = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(s)) {
            g.writeStartObject();
            g.writeNumberField("t", e.timestamp().toEpochMilli());
            g.writeStringField("source", e.source());
            g.writeStringField("machine", e.machine());
            g.writeStringField("project", e.project());
            g.writeStringField("session", e.sessionId());
            g.writeStringField("model", e.model());
            g.writeNumberField("input", e.tokens().input());
            g.writeNumberField("output", e.tokens().output());
            g.writeNumberField("cacheWrite5m", e.tokens().cacheWrite5m());
            g.writeNumberField("cacheWrite1h", e.tokens().cacheWrite1h());
            g.writeNumberField("cacheRead", e.tokens().cacheRead());
            if (e.tokens().webSearchRequests() != 0) {
                g.writeNumberField("webSearch", e.tokens().webSearchRequests());
            }
            if (e.tokens().fast()) {
                g.writeBooleanField("fast", true);
            }
            if (e.tokens().usOnly()) {
                g.writeBooleanField("usOnly", true);
            }
            if (e.cost() != null) {
                g.writeStringField("cost", e.cost().toPlainString());
            }
            if (e.messageId() != null) {
                g.writeStringField("message", e.messageId());
            }
            if (e.requestId() != null) {
                g.writeStringField("request", e.requestId());
            }
            if (e.user() != null && !e.user().isEmpty()) {
                g.writeStringField("user", e.user());
            }
            if (e.team() != null && !e.team().isEmpty()) {
                g.writeStringField("team", e.team());
            }
            if (!e.repository().isEmpty()) {
                g.writeStringField("repository", e.repository());
            }
            if (!e.branch().isEmpty()) {
                g.writeStringField("branch", e.branch());
            }
            g.writeEndObject();
        }
        return s.toString();
    }

    static UsageEvent parse(String line) throws IOException {
        JsonNode n = JSON.readTree(line);
        return new UsageEvent(Instant.ofEpochMilli(n.path("t").asLong()), n.path("source").asText(),
                n.path("machine").asText(), n.path("project").asText(), n.path("session").asText(),
                n.path("model").asText(), new TokenUsage(n.path("input").asLong(), n.path("output").asLong(),
                        n.path("cacheWrite5m").asLong(), n.path("cacheWrite1h").asLong(), n.path("cacheRead").asLong(),
                        n.path("webSearch").asLong(0), n.path("fast").asBoolean(false), n.path("usOnly").asBoolean(false)),
                n.hasNonNull("cost") ? new BigDecimal(n.get("cost").asText()) : null,
                n.hasNonNull("message") ? n.get("message").asText() : null,
                n.hasNonNull("request") ? n.get("request").asText() : null,
                n.path("user").asText(""), n.path("team").asText(""), n.path("repository").asText(""),
                n.path("branch").asText(""));
    }

    /** Streams the events of the days from {@code since} on (all days when null), oldest day first. */
    public void read(LocalDate since, Consumer<UsageEvent> sink) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().forEach(files::add);
        }
        for (Path f : files) {
            LocalDate day;
            try {
                day = LocalDate.parse(f.getFileName().toString().replace(".jsonl", ""));
            } catch (java.time.format.DateTimeParseException e) {
                continue;
            }
            if (since != null && day.isBefore(since)) {
                continue;
            }
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        try {
                            sink.accept(parse(line));
                        } catch (IOException e) {
                            log.warn("Skipping an unreadable line in {}: {}", f.getFileName(), e.getMessage());
                        }
                    }
                }
            }
        }
    }

    /**
     * Rewrites the users of lines written before the privacy rules reached the history: a user
     * that holds an address ({@code @}; a hash never does) becomes what {@code users} makes of a
     * {@code user.email}. Each changed day file is replaced whole (written beside it, then moved
     * over it), so a crash leaves the old file or the new one, never half of each.
     *
     * @return the number of lines rewritten
     */
    public synchronized long migrateUsers(UsageUsers users) throws IOException {
        if (!users.changesUsers()) {
            return 0;
        }
        long rewritten = 0;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().forEach(files::add);
        }
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            long changed = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.indexOf('@') < 0) {
                    continue;
                }
                UsageEvent e;
                try {
                    e = parse(line);
                } catch (IOException ex) {
                    continue; // unreadable: read() skips it; left as it is
                }
                if (e.user() == null || e.user().indexOf('@') < 0) {
                    continue;
                }
                lines.set(i, line(new UsageEvent(e.timestamp(), e.source(), e.machine(), e.project(), e.sessionId(),
                        e.model(), e.tokens(), e.cost(), e.messageId(), e.requestId(), users.configured(e.user()),
                        e.team(), e.repository(), e.branch())));
                changed++;
            }
            if (changed > 0) {
                Path tmp = f.resolveSibling(f.getFileName() + ".migrating");
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                rewritten += changed;
            }
        }
        if (rewritten > 0) {
            log.info("Usage history: {} lines written before the privacy rules had their user rewritten", rewritten);
        }
        return rewritten;
    }

    /** Deletes day files past the retention. */
    public void expire(LocalDate today) throws IOException {
        LocalDate cutoff = today.minusDays(retentionDays);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsonl")) {
                    try {
                        if (LocalDate.parse(name.replace(".jsonl", "")).isBefore(cutoff)) {
                            Files.deleteIfExists(f);
                        }
                    } catch (java.time.format.DateTimeParseException e) {
                        // not ours
                    }
                }
            }
        }
    }
}
