package dev.odin.health;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.actuate.health.HealthContributorRegistry;

/**
 * Every component that reports its own health (receivers, sinks, probes), each one a component
 * of /health under its own name.
 */
public final class HealthRegistry {

    private final HealthContributorRegistry contributors;
    private final Map<String, ComponentHealth> components = new ConcurrentHashMap<>();

    public HealthRegistry(HealthContributorRegistry contributors) {
        this.contributors = contributors;
    }

    /** @return the component with this name, registered with /health when new */
    public ComponentHealth component(String name) {
        return components.computeIfAbsent(name, n -> {
            ComponentHealth c = new ComponentHealth(n);
            if (contributors.getContributor(n) == null) {
                contributors.registerContributor(n, c);
            }
            return c;
        });
    }

    public Collection<ComponentHealth> all() {
        return components.values();
    }
}
