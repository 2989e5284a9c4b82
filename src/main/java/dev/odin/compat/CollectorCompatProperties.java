package dev.odin.compat;

import dev.odin.settings.SettingChecks;


/**
 * The OpenTelemetry Collector's ports ({@code odin.collector-compat.*}): with it on, ODIN also
 * answers where the seed's Collector did, on {@code odin.bind-address}, so its ServiceMonitor,
 * probes and runbook commands work unchanged (docs/deploy.md "Collector compatibility").
 */
public class CollectorCompatProperties {

    /**
     * Also serve the Prometheus exposition on the metrics port (the Collector's prometheus
     * exporter) and the health_check extension's answer on the health port; off by default.
     */
    private boolean enabled = false;

    /** Where {@code /metrics} is served as well (the prometheus exporter's 8889); nothing else there. */
    private int metricsPort = 8889;

    /** Where the health_check extension's answer is served (its 13133), on every path. */
    private int healthPort = 13133;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public int getMetricsPort() { return metricsPort; }
    public void setMetricsPort(int metricsPort) { this.metricsPort = metricsPort; }
    public int getHealthPort() { return healthPort; }
    public void setHealthPort(int healthPort) { this.healthPort = healthPort; }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.min("metricsPort", metricsPort, 0).max("metricsPort", metricsPort, 65535)
                .min("healthPort", healthPort, 0).max("healthPort", healthPort, 65535);
    }
}
