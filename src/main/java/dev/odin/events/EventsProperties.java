package dev.odin.events;

import dev.odin.settings.SettingChecks;
import dev.odin.exporter.prometheus.NamingStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Local JSON-lines event files, used when no Loki URL is set. */
public class EventsProperties {
    /** Files older than this many days are deleted. */
    private int retentionDays = 7;

    /** A file is rotated (events-DATE.N.jsonl) when it reaches this size. */
    private DataSize maxFileSize = DataSize.ofMegabytes(100);

    /**
     * Log record bodies longer than this are trimmed (with a marker) before any sink; below
     * Loki's max_line_size (256KB) so Loki never refuses the line.
     */
    private DataSize maxBodySize = DataSize.ofKilobytes(64);

    /**
     * Attribute values (resource, scope, record) longer than this are trimmed (with a marker)
     * before any sink: 16 of them fill Loki's structured metadata per entry (64KB).
     */
    private DataSize maxAttributeValueSize = DataSize.ofKilobytes(4);

    /** Attributes whose key is longer than this are dropped (Loki's max_label_name_length). */
    private DataSize maxAttributeKeySize = DataSize.ofBytes(1024);

    public int getRetentionDays() { return retentionDays; }
    public void setRetentionDays(int retentionDays) { this.retentionDays = retentionDays; }
    public DataSize getMaxFileSize() { return maxFileSize; }
    public void setMaxFileSize(DataSize maxFileSize) { this.maxFileSize = maxFileSize; }
    public DataSize getMaxBodySize() { return maxBodySize; }
    public void setMaxBodySize(DataSize maxBodySize) { this.maxBodySize = maxBodySize; }
    public DataSize getMaxAttributeValueSize() { return maxAttributeValueSize; }
    public void setMaxAttributeValueSize(DataSize maxAttributeValueSize) { this.maxAttributeValueSize = maxAttributeValueSize; }
    public DataSize getMaxAttributeKeySize() { return maxAttributeKeySize; }
    public void setMaxAttributeKeySize(DataSize maxAttributeKeySize) { this.maxAttributeKeySize = maxAttributeKeySize; }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.min("retentionDays", retentionDays, 1).notNull("maxFileSize", maxFileSize)
                .notNull("maxBodySize", maxBodySize).notNull("maxAttributeValueSize", maxAttributeValueSize)
                .notNull("maxAttributeKeySize", maxAttributeKeySize);
    }
}
