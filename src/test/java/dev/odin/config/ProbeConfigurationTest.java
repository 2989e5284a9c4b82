package dev.odin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.odin.health.HealthRegistry;
import dev.odin.probes.HostPlatform;
import dev.odin.probes.ProbeProperties;
import dev.odin.probes.host.HostProbe;
import dev.odin.probes.host.OshiHostProbe;
import dev.odin.probes.power.BatteryProbe;
import dev.odin.probes.power.OshiBatteryProbe;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.DefaultHealthContributorRegistry;

/** Which probe implementation odin.probes.source picks. */
class ProbeConfigurationTest {

    private final ProbeConfiguration config = new ProbeConfiguration();
    private final SeriesStore store = new SeriesStore(new StoreLimits(1000, 1000, 100, Duration.ofMinutes(30), false),
            Clock.systemUTC());

    @Test
    void autoReadsProcfsOnLinuxAndOshiIsForced() {
        assumeTrue(HostPlatform.linux(), "auto means procfs only on Linux");
        ProbeProperties p = new ProbeProperties();
        assertEquals(ProbeProperties.Source.AUTO, p.getSource());
        HealthRegistry health = new HealthRegistry(new DefaultHealthContributorRegistry());
        assertInstanceOf(HostProbe.class, config.hostProbe(p, store, health).probe());
        assertInstanceOf(BatteryProbe.class, config.batteryProbe(p, store, health).probe());

        p.setSource(ProbeProperties.Source.OSHI);
        health = new HealthRegistry(new DefaultHealthContributorRegistry());
        assertInstanceOf(OshiHostProbe.class, config.hostProbe(p, store, health).probe());
        assertInstanceOf(OshiBatteryProbe.class, config.batteryProbe(p, store, health).probe());
    }

    @Test
    void whatAutoMeansOnEachPlatform() {
        assertEquals(true, ProbeProperties.Source.AUTO.readsProcfs(true));
        assertEquals(false, ProbeProperties.Source.AUTO.readsProcfs(false));
        assertEquals(true, ProbeProperties.Source.PROCFS.readsProcfs(false));
        assertEquals(false, ProbeProperties.Source.OSHI.readsProcfs(true));
    }
}
