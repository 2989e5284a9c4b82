package dev.odin.limits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code GET /api/limits} on the management port (endpoint {@code limitsapi}): the latest plan-limit
 * reading per window, machine and user, for the usage page's "Plan limits" block.
 */
@WebEndpoint(id = "limitsapi")
public final class LimitsEndpoint {

    private final PlanLimits limits;

    public LimitsEndpoint(PlanLimits limits) {
        this.limits = limits;
    }

    @ReadOperation(produces = "application/json")
    public Map<String, Object> limits() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PlanLimits.Reading r : limits.readings()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("window", r.window());
            row.put("machine", r.machine());
            row.put("user", r.user());
            row.put("usedRatio", r.usedRatio());
            row.put("resetsAt", r.resetsAt() == null ? null : r.resetsAt().toString());
            row.put("updated", r.updated().toString());
            rows.add(row);
        }
        return Map.of("limits", rows);
    }
}
