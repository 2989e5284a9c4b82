package dev.odin.exporter.prometheus;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** OTLP metrics to Prometheus series. */
public class MetricsProperties {
    /** How metric names are translated; the default matches the Collector's exporter. */
    private NamingStrategy naming = NamingStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES;

    /** Keep runs of '_' in label names (the Collector exporter's current behaviour). */
    private boolean keepUnderscoreRuns = false;

    /** Add otel_scope_name, otel_scope_version, otel_scope_schema_url and otel_scope_* labels. */
    private boolean scopeLabels = true;

    /** Copy every resource attribute onto every series (resource_to_telemetry_conversion). */
    private boolean resourceToLabels = false;

    /** Publish a target_info series per (job, instance) with the other resource attributes. */
    private boolean targetInfo = true;

    /** A series that receives no point for this long is removed. */
    private Duration seriesExpiry = Duration.ofMinutes(30);

    /** How often the expiry sweep runs (the series store's series-expiry timer). */
    private Duration expiryCheckInterval = Duration.ofSeconds(10);

    /** Expose counters born from a delta at 0 first (for zero-first-window), so increase() sees all of it. */
    private boolean zeroFirst = true;

    /**
     * How long a counter or histogram born from a delta is exposed at 0 after its creation,
     * whoever scrapes: at least the longest scrape interval of any Prometheus that must see the
     * first increment, with a margin. The first value shows this much later.
     */
    private Duration zeroFirstWindow = Duration.ofSeconds(90);

    /**
     * Scrapes of /metrics written at once, from all clients; one more is answered 429. Each holds
     * a management-server thread until its client has read the body (server.tomcat.threads.max).
     */
    private int scrapeMaxConcurrent = 16;

    /**
     * Scrapes of /metrics written at once to one client address; one more is answered 429, so a
     * client that asks and does not read cannot take the threads the others need.
     */
    private int scrapeMaxPerClient = 4;

    /** Hard cap on live series across all metrics (target_info included). */
    private int maxSeries = 200_000;

    /** Hard cap on live series of one metric name. */
    private int maxSeriesPerMetric = 50_000;

    /** A data point with a longer label value is rejected (characters). */
    private int maxLabelValueLength = 4096;

    /**
     * A data point whose series would have more labels is refused: its attributes' and those ODIN
     * adds (job, instance, otel_scope_*, resource labels, the tenant).
     */
    private int maxLabelsPerSeries = 64;

    /** Cap on live series that the requests of one tenant may create; 0: a quarter of max-series. */
    private int maxSeriesPerTenant = 0;

    /** A metric whose OTLP or Prometheus name is longer is refused (characters). */
    private int maxNameLength = 255;

    /** A data point with a longer attribute key (label name) is refused (characters). */
    private int maxLabelNameLength = 128;

    /** Resource and scope attribute values (target_info, job, otel_scope_*) are cut to this (characters). */
    private int maxResourceAttributeValueLength = 4096;

    /** Metric descriptions (HELP) are cut to this (characters). */
    private int maxHelpLength = 1024;

    public int getMaxSeriesPerTenant() {
        return maxSeriesPerTenant;
    }

    public void setMaxSeriesPerTenant(int maxSeriesPerTenant) {
        this.maxSeriesPerTenant = maxSeriesPerTenant;
    }

    /** The per-tenant cap in force: the setting, or a quarter of max-series when it is 0. */
    public int maxSeriesPerTenant() {
        return maxSeriesPerTenant > 0 ? Math.min(maxSeriesPerTenant, maxSeries) : Math.max(1, maxSeries / 4);
    }

    public int getMaxNameLength() {
        return maxNameLength;
    }

    public void setMaxNameLength(int maxNameLength) {
        this.maxNameLength = maxNameLength;
    }

    public int getMaxLabelsPerSeries() {
        return maxLabelsPerSeries;
    }

    public void setMaxLabelsPerSeries(int maxLabelsPerSeries) {
        this.maxLabelsPerSeries = maxLabelsPerSeries;
    }

    public int getMaxLabelNameLength() {
        return maxLabelNameLength;
    }

    public void setMaxLabelNameLength(int maxLabelNameLength) {
        this.maxLabelNameLength = maxLabelNameLength;
    }

    public int getMaxResourceAttributeValueLength() {
        return maxResourceAttributeValueLength;
    }

    public void setMaxResourceAttributeValueLength(int maxResourceAttributeValueLength) {
        this.maxResourceAttributeValueLength = maxResourceAttributeValueLength;
    }

    public int getMaxHelpLength() {
        return maxHelpLength;
    }

    public void setMaxHelpLength(int maxHelpLength) {
        this.maxHelpLength = maxHelpLength;
    }

    /** Attributes to drop per metric so that series merge. */
    private List<DropRule> dropAttributes = new ArrayList<>();

    public NamingStrategy getNaming() {
        return naming;
    }

    public void setNaming(NamingStrategy naming) {
        this.naming = naming;
    }

    public boolean isKeepUnderscoreRuns() {
        return keepUnderscoreRuns;
    }

    public void setKeepUnderscoreRuns(boolean keepUnderscoreRuns) {
        this.keepUnderscoreRuns = keepUnderscoreRuns;
    }

    public boolean isScopeLabels() {
        return scopeLabels;
    }

    public void setScopeLabels(boolean scopeLabels) {
        this.scopeLabels = scopeLabels;
    }

    public boolean isResourceToLabels() {
        return resourceToLabels;
    }

    public void setResourceToLabels(boolean resourceToLabels) {
        this.resourceToLabels = resourceToLabels;
    }

    public boolean isTargetInfo() {
        return targetInfo;
    }

    public void setTargetInfo(boolean targetInfo) {
        this.targetInfo = targetInfo;
    }

    public Duration getSeriesExpiry() {
        return seriesExpiry;
    }

    public void setSeriesExpiry(Duration seriesExpiry) {
        this.seriesExpiry = seriesExpiry;
    }

    public Duration getExpiryCheckInterval() {
        return expiryCheckInterval;
    }

    public void setExpiryCheckInterval(Duration expiryCheckInterval) {
        this.expiryCheckInterval = expiryCheckInterval;
    }

    public boolean isZeroFirst() {
        return zeroFirst;
    }

    public void setZeroFirst(boolean zeroFirst) {
        this.zeroFirst = zeroFirst;
    }

    public Duration getZeroFirstWindow() {
        return zeroFirstWindow;
    }

    public void setZeroFirstWindow(Duration zeroFirstWindow) {
        this.zeroFirstWindow = zeroFirstWindow;
    }

    public int getMaxSeries() {
        return maxSeries;
    }

    public void setMaxSeries(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    public int getMaxSeriesPerMetric() {
        return maxSeriesPerMetric;
    }

    public void setMaxSeriesPerMetric(int maxSeriesPerMetric) {
        this.maxSeriesPerMetric = maxSeriesPerMetric;
    }

    public int getMaxLabelValueLength() {
        return maxLabelValueLength;
    }

    public void setMaxLabelValueLength(int maxLabelValueLength) {
        this.maxLabelValueLength = maxLabelValueLength;
    }

    public int getScrapeMaxConcurrent() {
        return scrapeMaxConcurrent;
    }

    public void setScrapeMaxConcurrent(int scrapeMaxConcurrent) {
        this.scrapeMaxConcurrent = scrapeMaxConcurrent;
    }

    public int getScrapeMaxPerClient() {
        return scrapeMaxPerClient;
    }

    public void setScrapeMaxPerClient(int scrapeMaxPerClient) {
        this.scrapeMaxPerClient = scrapeMaxPerClient;
    }

    public List<DropRule> getDropAttributes() {
        return dropAttributes;
    }

    public void setDropAttributes(List<DropRule> dropAttributes) {
        this.dropAttributes = dropAttributes;
    }

    /** Drop these attribute keys from the data points of metrics whose OTLP name matches. */
    public static class DropRule {
        /** OTLP metric name; a trailing '*' matches any name with that prefix. */
        private String metric;

        private List<String> attributes = new ArrayList<>();

        public String getMetric() {
            return metric;
        }

        public void setMetric(String metric) {
            this.metric = metric;
        }

        public List<String> getAttributes() {
            return attributes;
        }

        public void setAttributes(List<String> attributes) {
            this.attributes = attributes;
        }

        void check(SettingChecks c) {
            c.notBlank("metric", metric);
        }
    }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("naming", naming).notNull("seriesExpiry", seriesExpiry)
                .notNull("expiryCheckInterval", expiryCheckInterval).notNull("zeroFirstWindow", zeroFirstWindow)
                .atLeast("zeroFirstWindow", zeroFirstWindow, Duration.ofMillis(1))
                .min("scrapeMaxConcurrent", scrapeMaxConcurrent, 1).min("scrapeMaxPerClient", scrapeMaxPerClient, 1)
                .min("maxSeries", maxSeries, 1).min("maxSeriesPerMetric", maxSeriesPerMetric, 1)
                .min("maxLabelValueLength", maxLabelValueLength, 1)
                .min("maxLabelsPerSeries", maxLabelsPerSeries, 1).min("maxSeriesPerTenant", maxSeriesPerTenant, 0)
                .min("maxNameLength", maxNameLength, 1).min("maxLabelNameLength", maxLabelNameLength, 1)
                .min("maxResourceAttributeValueLength", maxResourceAttributeValueLength, 1)
                .min("maxHelpLength", maxHelpLength, 1)
                .each("dropAttributes", dropAttributes, DropRule::check);
    }
}
