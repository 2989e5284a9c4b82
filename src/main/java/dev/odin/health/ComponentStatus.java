package dev.odin.health;

import org.springframework.boot.actuate.health.Status;

/** The states a component of ODIN reports in /health. */
public enum ComponentStatus {
    /** Working. */
    UP(Status.UP),
    /** Working in part, or failing without stopping the service (a probe that cannot read). */
    DEGRADED(new Status("DEGRADED")),
    /** Not working; the service cannot do this part of its job. */
    DOWN(Status.DOWN),
    /** Optional hardware or software that this machine does not have: normal, never unhealthy. */
    ABSENT(new Status("ABSENT")),
    /** Not run yet (its first cycle is pending, or its route is switched off). */
    UNKNOWN(Status.UNKNOWN);

    private final Status actuatorStatus;

    ComponentStatus(Status actuatorStatus) {
        this.actuatorStatus = actuatorStatus;
    }

    public Status actuatorStatus() {
        return actuatorStatus;
    }
}
