package dev.odin.exporter.loki;

import dev.odin.health.DataDirGuard;
import dev.odin.telemetry.OdinMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.context.SmartLifecycle;

/**
 * Every Loki ODIN sends to, each with its own {@link LokiSink} (queue, sender, health, metrics):
 * the configured one ({@code default}, odin.loki.*, made at start whenever odin.loki.url is set,
 * so a queue left from the last run is delivered whatever the routes say) and those the routes
 * name ({@code odin-loki:<name>?url=...}, made when their route is created; queue under
 * {@code <data dir>/loki-<name>-queue}, dead letters in {@code loki-<name>-dead-letter.jsonl}).
 *
 * <p>Their delivery loops start and stop with the Spring lifecycle; graceful shutdown
 * ({@code dev.odin.lifecycle.GracefulShutdown}, a higher phase) flushes them first. Each one is
 * a /health component: {@code loki} for the default, {@code loki-<name>} for another.
 */
public final class LokiSinks implements SmartLifecycle, AutoCloseable {

    private final LokiProperties loki;
    private final Path dataDir;
    private final OdinMetrics telemetry;
    private final DataDirGuard guard;
    private final MeterRegistry registry;
    private final ObjectProvider<HealthContributorRegistry> health;
    private final Map<String, LokiSink> sinks = new LinkedHashMap<>();
    private boolean running;

    public LokiSinks(LokiProperties loki, Path dataDir, OdinMetrics telemetry, DataDirGuard guard, MeterRegistry registry,
            ObjectProvider<HealthContributorRegistry> health) throws IOException {
        this.loki = loki;
        this.dataDir = dataDir;
        this.telemetry = telemetry;
        this.guard = guard;
        this.registry = registry;
        this.health = health;
        if (!loki.getUrl().isBlank()) {
            sinks.put("default", new LokiSink("default", loki, dataDir.resolve("loki-queue"),
                    dataDir.resolve("loki-dead-letter.jsonl"), Clock.systemUTC(), telemetry, guard, registry));
        }
    }

    /** The Loki of odin.loki.url, if it is set. */
    public synchronized Optional<LokiSink> defaultSink() {
        return Optional.ofNullable(sinks.get("default"));
    }

    public synchronized Collection<LokiSink> all() {
        return new ArrayList<>(sinks.values());
    }

    /** How full the fullest queue is (admission control): 0 empty (or no Loki), 1 at its bound. */
    public double fill() {
        double fill = 0;
        for (LokiSink s : all()) {
            fill = Math.max(fill, s.queue().fill());
        }
        return fill;
    }

    /**
     * Another Loki, by name: odin.loki.* with this URL, tenant and format. The same name twice
     * is the same sink (its settings must then agree).
     */
    public synchronized LokiSink named(String name, String url, String tenant, LokiProperties.Format format)
            throws IOException {
        if (!name.matches("[A-Za-z0-9_.-]+") || name.equals("default")) {
            throw new IllegalArgumentException("odin-loki:" + name + ": a Loki's name is letters, digits, . _ -"
                    + " (and not \"default\", which is odin.loki.url)");
        }
        LokiSink existing = sinks.get(name);
        if (existing != null) {
            LokiProperties c = existing.config();
            if (!c.getUrl().equals(url) || !c.getTenant().equals(tenant) || c.getFormat() != format) {
                throw new IllegalArgumentException("odin-loki:" + name + " is named twice with other settings (url="
                        + c.getUrl() + ", tenant=" + c.getTenant() + ", format=" + c.getFormat() + ")");
            }
            return existing;
        }
        LokiProperties config = new LokiProperties();
        BeanUtils.copyProperties(loki, config);
        config.setUrl(url);
        config.setTenant(tenant);
        config.setFormat(format);
        LokiSink sink = new LokiSink(name, config, dataDir.resolve("loki-" + name + "-queue"),
                dataDir.resolve("loki-" + name + "-dead-letter.jsonl"), Clock.systemUTC(), null, guard, registry);
        sinks.put(name, sink);
        if (running) {
            start(sink);
        }
        return sink;
    }

    private void start(LokiSink sink) {
        sink.start();
        HealthContributorRegistry contributors = health.getIfAvailable();
        String component = LokiSink.senderName(sink.name());
        if (contributors != null && contributors.getContributor(component) == null) {
            contributors.registerContributor(component, new LokiHealthIndicator(sink));
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        for (LokiSink s : sinks.values()) {
            start(s);
        }
    }

    /** The loops stop; what is queued stays on disk (flushed before, by the graceful shutdown). */
    @Override
    public void stop() {
        List<LokiSink> all;
        synchronized (this) {
            running = false;
            all = new ArrayList<>(sinks.values());
        }
        for (LokiSink s : all) {
            s.sender().stop();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    /** Stopped after the graceful shutdown (phase Integer.MAX_VALUE) has flushed the queues. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public void close() throws IOException {
        for (LokiSink s : all()) {
            s.close();
        }
    }
}
