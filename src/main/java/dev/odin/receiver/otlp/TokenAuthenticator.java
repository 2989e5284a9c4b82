package dev.odin.receiver.otlp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the bearer token of an OTLP request against the tokens file. The file is read again by
 * {@link #reload} (a timer route calls it) whenever its content changed, so a rotated Kubernetes
 * Secret takes effect without a restart. A file that no longer parses leaves the previous tokens
 * in force: a typo must not lock every client out, nor let everyone in.
 */
public final class TokenAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticator.class);

    /** Why a request was refused, as counted in odin_auth_refused_total{reason}. */
    public enum Refusal { MISSING, MALFORMED, UNKNOWN }

    /** The outcome of a check: a principal, or a refusal with the message for the client. */
    public record Outcome(Tokens.Principal principal, Refusal refusal, String message) {
        public boolean allowed() {
            return principal != null;
        }
    }

    private static final Outcome MISSING = new Outcome(null, Refusal.MISSING,
            "missing credentials: send 'Authorization: Bearer <token>'");
    private static final Outcome MALFORMED = new Outcome(null, Refusal.MALFORMED,
            "the Authorization header is not 'Bearer <token>'");
    private static final Outcome UNKNOWN = new Outcome(null, Refusal.UNKNOWN, "the bearer token is not valid");

    private final Path file;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Counter reloads;
    private final Counter reloadFailures;
    private volatile Tokens tokens;
    private volatile byte[] loadedContent = new byte[0];
    private volatile String lastError = "";

    /**
     * Reads the file once.
     *
     * @throws IllegalArgumentException when the file does not parse (a start-up error)
     */
    public TokenAuthenticator(Path file, MeterRegistry registry) throws IOException {
        this.file = file;
        this.registry = registry;
        this.reloads = Counter.builder("odin.auth.token.reloads").description("Tokens file reloads that took effect")
                .register(registry);
        this.reloadFailures = Counter.builder("odin.auth.token.reload.failures")
                .description("Tokens file changes refused (the previous tokens stay in force)").register(registry);
        byte[] content = Files.readAllBytes(file);
        try {
            this.tokens = Tokens.parse(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("odin.auth.tokens-file " + file + ": " + e.getMessage());
        }
        this.loadedContent = content;
        log.info("OTLP authentication on: {} token(s) from {}", tokens.size(), file);
    }

    /** Reads the file again if it changed; keeps the old tokens when it cannot be read or parsed. */
    public void reload() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            refuseReload("cannot read " + file + ": " + e);
            return;
        }
        if (Arrays.equals(content, loadedContent)) {
            return;
        }
        try {
            Tokens fresh = Tokens.parse(new String(content, StandardCharsets.UTF_8));
            tokens = fresh;
            loadedContent = content;
            lastError = "";
            reloads.increment();
            log.info("Tokens file {} reloaded: {} token(s)", file, fresh.size());
        } catch (IllegalArgumentException e) {
            loadedContent = content; // do not log the same broken content every period
            refuseReload(file + ": " + e.getMessage());
        }
    }

    private void refuseReload(String why) {
        if (!why.equals(lastError)) {
            log.warn("Tokens file change not applied, the previous tokens stay in force: {}", why);
        }
        lastError = why;
        reloadFailures.increment();
    }

    /** Empty when the last reload took effect; otherwise why it did not. */
    public String lastError() {
        return lastError;
    }

    public int tokenCount() {
        return tokens.size();
    }

    /** Checks an Authorization header value (null when absent) for a request over {@code transport}. */
    public Outcome check(String authorization, String transport) {
        Outcome o = evaluate(authorization);
        if (!o.allowed()) {
            countRefusal(o, transport);
        }
        return o;
    }

    /** Counts a refusal in odin_auth_refused_total{transport,reason}. */
    public void countRefusal(Outcome o, String transport) {
        refusals.computeIfAbsent(transport + "/" + o.refusal(), k -> Counter.builder("odin.auth.refused")
                .description("OTLP requests refused for missing or wrong credentials")
                .tag("transport", transport).tag("reason", o.refusal().name().toLowerCase())
                .register(registry)).increment();
    }

    /** The outcome for an Authorization header value, not counted (the caller counts a refusal). */
    public Outcome evaluate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return MISSING;
        }
        String v = authorization.strip();
        if (v.length() < 8 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return MALFORMED;
        }
        Tokens.Principal p = tokens.lookup(v.substring(7).strip());
        return p == null ? UNKNOWN : new Outcome(p, null, "");
    }
}
