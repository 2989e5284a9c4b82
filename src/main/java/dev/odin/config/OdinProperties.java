package dev.odin.config;

import dev.odin.exporter.prometheus.NamingStrategy;
import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.odin.events.EventsProperties;
import dev.odin.exporter.loki.LokiProperties;
import dev.odin.exporter.otlp.OtlpExportProperties;
import dev.odin.limits.LimitsProperties;
import dev.odin.exporter.prometheus.MetricsProperties;
import dev.odin.exporter.remotewrite.RemoteWriteProperties;
import dev.odin.receiver.otlp.OtlpProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Every {@code odin.*} setting, typed and validated at start-up. Each one can be set by an
 * environment variable through Spring's relaxed binding ({@code odin.metrics.series-expiry} is
 * {@code ODIN_METRICS_SERIESEXPIRY}); docs/configuration.md lists them all.
 */
@ConfigurationProperties(prefix = "odin")
public class OdinProperties implements Validator {

    /** Address every listener binds to; 0.0.0.0 in a cluster, loopback on a laptop. */
    private String bindAddress = "127.0.0.1";

    @NestedConfigurationProperty
    private final OtlpProperties otlp = new OtlpProperties();

    @NestedConfigurationProperty
    private final MetricsProperties metrics = new MetricsProperties();

    /**
     * Everything ODIN keeps on disk (the Loki queue, event files, usage history, the privacy hash
     * key) lives under this directory; empty: the platform's per-user data directory
     * ($XDG_DATA_HOME/odin or ~/.local/share/odin on Linux, ~/Library/Application Support/odin on
     * macOS, %LOCALAPPDATA%\odin on Windows), set by StartupChecks before anything binds it.
     */
    private String dataDir = "";

    /**
     * New events are refused ("retry later") while the data dir's file system has less than
     * this free, before a write can fail half-way; 0 leaves it to the writes' own errors.
     */
    private DataSize dataDirMinFree = DataSize.ofMegabytes(64);

    @NestedConfigurationProperty
    private final LokiProperties loki = new LokiProperties();

    @NestedConfigurationProperty
    private final EventsProperties events = new EventsProperties();

    @NestedConfigurationProperty
    private final RemoteWriteProperties remoteWrite = new RemoteWriteProperties();

    @NestedConfigurationProperty
    private final OtlpExportProperties otlpExport = new OtlpExportProperties();

    @NestedConfigurationProperty
    private final dev.odin.usage.forward.UsageForwardProperties usageForward =
            new dev.odin.usage.forward.UsageForwardProperties();

    @NestedConfigurationProperty
    private final dev.odin.traces.TracesProperties traces = new dev.odin.traces.TracesProperties();

    @NestedConfigurationProperty
    private final LimitsProperties limits = new LimitsProperties();

    @NestedConfigurationProperty
    private final dev.odin.compat.CollectorCompatProperties collectorCompat =
            new dev.odin.compat.CollectorCompatProperties();

    private final Routes routes = new Routes();

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public OtlpProperties getOtlp() {
        return otlp;
    }

    public MetricsProperties getMetrics() {
        return metrics;
    }

    public String getDataDir() {
        return dataDir;
    }

    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    public DataSize getDataDirMinFree() {
        return dataDirMinFree;
    }

    public void setDataDirMinFree(DataSize dataDirMinFree) {
        this.dataDirMinFree = dataDirMinFree;
    }

    public LokiProperties getLoki() {
        return loki;
    }

    public EventsProperties getEvents() {
        return events;
    }

    public RemoteWriteProperties getRemoteWrite() {
        return remoteWrite;
    }

    public OtlpExportProperties getOtlpExport() {
        return otlpExport;
    }

    public dev.odin.usage.forward.UsageForwardProperties getUsageForward() {
        return usageForward;
    }

    public dev.odin.traces.TracesProperties getTraces() {
        return traces;
    }

    public LimitsProperties getLimits() {
        return limits;
    }

    public dev.odin.compat.CollectorCompatProperties getCollectorCompat() {
        return collectorCompat;
    }

    public Routes getRoutes() {
        return routes;
    }

    /** Where the Camel YAML routes come from (camel.main.routes-include-pattern reads it). */
    public static class Routes {
        /**
         * The route files, comma-separated patterns: the jar carries the defaults; a directory
         * (file:/etc/odin/routes/*.yaml) runs edited ones instead, replacing the built-in set.
         */
        private String include = "classpath:routes/*.yaml";

        public String getInclude() { return include; }

        public void setInclude(String include) { this.include = include; }

        void check(SettingChecks c) {
            c.notBlank("include", include);
        }
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == OdinProperties.class;
    }

    /** Run by ConfigurationPropertiesBinder once the whole group is bound; nested groups check their own fields. */
    @Override
    public void validate(Object target, Errors errors) {
        SettingChecks c = new SettingChecks(errors);
        c.notBlank("bindAddress", bindAddress).notNull("dataDirMinFree", dataDirMinFree);
        otlp.check(c.in("otlp"));
        metrics.check(c.in("metrics"));
        loki.check(c.in("loki"));
        events.check(c.in("events"));
        remoteWrite.check(c.in("remoteWrite"));
        otlpExport.check(c.in("otlpExport"));
        usageForward.check(c.in("usageForward"));
        traces.check(c.in("traces"));
        limits.check(c.in("limits"));
        collectorCompat.check(c.in("collectorCompat"));
        routes.check(c.in("routes"));
    }
}
