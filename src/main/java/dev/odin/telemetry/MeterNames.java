package dev.odin.telemetry;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Prometheus snapshot names of Micrometer's meters (JVM, Camel, odin_*), so that an OTLP
 * metric of the same name can be kept out of the scrape instead of breaking it. Recomputed only
 * when the number of meters changes.
 */
public final class MeterNames {

    private final MeterRegistry registry;
    private volatile int meterCount = -1;
    private volatile Set<String> names = Set.of();

    public MeterNames(MeterRegistry registry) {
        this.registry = registry;
    }

    public Set<String> names() {
        List<Meter> meters = registry.getMeters();
        if (meters.size() != meterCount) {
            Set<String> out = new HashSet<>();
            for (Meter m : meters) {
                Meter.Id id = m.getId();
                String name = registry.config().namingConvention().name(id.getName(), id.getType(), id.getBaseUnit());
                out.add(strip(name));
                if (id.getType() == Meter.Type.TIMER || id.getType() == Meter.Type.DISTRIBUTION_SUMMARY
                        || id.getType() == Meter.Type.LONG_TASK_TIMER) {
                    out.add(strip(name) + "_max");
                    out.add(strip(name) + "_active_count");
                    out.add(strip(name) + "_duration_sum");
                }
            }
            names = out;
            meterCount = meters.size();
        }
        return names;
    }

    private static String strip(String name) {
        if (name.endsWith("_total")) {
            return name.substring(0, name.length() - 6);
        }
        if (name.endsWith("_info")) {
            return name.substring(0, name.length() - 5);
        }
        return name;
    }
}
