package dev.odin.exporter.prometheus;

/**
 * The four metric-name translation strategies of Prometheus' otlptranslator. The default is the
 * one the OpenTelemetry Collector's Prometheus exporter uses.
 */
public enum NamingStrategy {
    /** Legacy Prometheus names (`[a-zA-Z0-9_:]`) with unit and `_total` / `_ratio` suffixes. */
    UNDERSCORE_ESCAPING_WITH_SUFFIXES(true, true),
    /** Legacy Prometheus names, no suffixes. */
    UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES(true, false),
    /** UTF-8 names kept as sent, with unit and type suffixes appended. */
    NO_UTF8_ESCAPING_WITH_SUFFIXES(false, true),
    /** Names and labels passed through untouched. */
    NO_TRANSLATION(false, false);

    private final boolean escaping;
    private final boolean suffixes;

    NamingStrategy(boolean escaping, boolean suffixes) {
        this.escaping = escaping;
        this.suffixes = suffixes;
    }

    public boolean escapes() {
        return escaping;
    }

    public boolean addsSuffixes() {
        return suffixes;
    }
}
