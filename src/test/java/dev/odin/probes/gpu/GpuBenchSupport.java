package dev.odin.probes.gpu;

import dev.odin.probes.Probe;
import java.nio.file.Path;
import java.time.Duration;

/** The GPU probe against the H100 stand-in, for the probe benchmark. */
public final class GpuBenchSupport {

    private GpuBenchSupport() {
    }

    public static Probe h100StandIn(Path dir) throws Exception {
        var row = FakeNvidiaSmi.capture(GpuProbeTest.NVIDIA.resolve("h100-load.nvidia-smi.txt"), "load");
        Path script = FakeNvidiaSmi.script(dir, false, FakeNvidiaSmi.answer(row, GpuCsv.fields(false)) + "\n", 0);
        return new GpuProbe(script.toString(), Duration.ofSeconds(10));
    }
}
