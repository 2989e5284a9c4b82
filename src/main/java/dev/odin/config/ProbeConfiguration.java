package dev.odin.config;

import dev.odin.probes.ProbeProperties;
import dev.odin.health.HealthRegistry;
import dev.odin.probes.HostPlatform;
import dev.odin.probes.Probe;
import dev.odin.probes.ProbeGroup;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.ProbeRunner;
import dev.odin.probes.gpu.GpuProbe;
import dev.odin.probes.host.FilesystemStats;
import dev.odin.probes.host.HostProbe;
import dev.odin.probes.host.OshiHostProbe;
import dev.odin.probes.power.BatteryProbe;
import dev.odin.probes.power.OshiBatteryProbe;
import dev.odin.probes.power.RaplProbe;
import dev.odin.probes.process.ProcessProbe;
import dev.odin.series.SeriesStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The probes routes/probes.yaml runs on timers (route template "probe", method runCycle): one
 * {@link ProbeRunner} bean per probe, and powerProbe for RAPL and batteries together, named as
 * the routes refer to them. Whether a probe runs, and how often, is the route's business.
 */
@Configuration(proxyBeanMethods = false)
public class ProbeConfiguration {

    @Bean
    public ProbeRunner hostProbe(ProbeProperties p, SeriesStore store, HealthRegistry health) {
        // OSHI (the machine's identity) reads procfs and sysfs from JVM-wide paths, fixed when
        // its classes load: point them at the configured roots first (a host's /proc in a pod)
        // (not at an empty or missing root: nothing there for OSHI, and the setting is JVM-wide)
        if (HostPlatform.absentRoot(Path.of(p.getProcRoot()), "procfs") == null) {
            oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_UTIL_PROC_PATH, p.getProcRoot());
            oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_UTIL_SYS_PATH, p.getSysRoot());
        }
        if (!p.getSource().readsProcfs(HostPlatform.linux())) {
            return runner(new OshiHostProbe(Clock.systemUTC()), store, health);
        }
        return runner(new HostProbe(Path.of(p.getProcRoot()), Path.of(p.getSysRoot()), p.getRootfs(),
                Clock.systemUTC(), FilesystemStats.statvfs()), store, health);
    }

    @Bean
    public ProbeRunner gpuProbe(ProbeProperties p, SeriesStore store, HealthRegistry health) {
        return runner(new GpuProbe(p.getGpu().getCommand(), p.getGpu().getTimeout()), store, health);
    }

    @Bean
    public ProbeRunner raplProbe(ProbeProperties p, SeriesStore store, HealthRegistry health) {
        return runner(new RaplProbe(Path.of(p.getSysRoot())), store, health);
    }

    @Bean
    public ProbeRunner batteryProbe(ProbeProperties p, SeriesStore store, HealthRegistry health) {
        if (!p.getSource().readsProcfs(HostPlatform.linux())) {
            return runner(new OshiBatteryProbe(), store, health);
        }
        return runner(new BatteryProbe(Path.of(p.getSysRoot())), store, health);
    }

    /** The power route's probe: RAPL, then batteries and AC adapters, on one period. */
    @Bean
    public ProbeGroup powerProbe(@Qualifier("raplProbe") ProbeRunner rapl,
            @Qualifier("batteryProbe") ProbeRunner battery) {
        return new ProbeGroup(List.of(rapl, battery));
    }

    @Bean
    public ProbeRunner processProbe(ProbeProperties p, SeriesStore store, HealthRegistry health) {
        if (!p.getSource().readsProcfs(HostPlatform.linux())) {
            return runner(ProcessProbe.oshi(p.getProcess().getGroups()), store, health);
        }
        return runner(new ProcessProbe(Path.of(p.getProcRoot()), p.getProcess().getGroups()), store, health);
    }

    private static ProbeRunner runner(Probe probe, SeriesStore store, HealthRegistry health) {
        return new ProbeRunner(probe, new ProbeReadings(store), health.component(probe.name()), Clock.systemUTC());
    }
}
