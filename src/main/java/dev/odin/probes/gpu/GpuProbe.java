package dev.odin.probes.gpu;

import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.series.LabelSet;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * NVIDIA GPUs through {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}, with
 * nvidia_gpu_exporter's names. A machine without nvidia-smi or without a working driver
 * (exit 9) has no GPU to report: the probe is ABSENT, which is normal.
 */
public final class GpuProbe implements Probe {

    /** nvidia-smi's exit code when it cannot talk to the driver (none loaded, or none installed). */
    static final int NO_DRIVER = 9;

    private final NvidiaSmi smi;
    private boolean oldSpelling;

    public GpuProbe(String command, Duration timeout) {
        this.smi = new NvidiaSmi(command, timeout);
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public void collect(ProbeReadings r) throws Exception {
        long start = System.nanoTime();
        try {
            List<GpuReading> gpus = query();
            for (GpuReading g : gpus) {
                g.write(r);
            }
            collectorHealth(r, true, start);
            r.gauge("nvidia_smi_last_collect_success_timestamp_seconds", "When nvidia-smi last answered",
                    System.currentTimeMillis() / 1000.0, LabelSet.EMPTY);
        } catch (Probe.AbsentException e) {
            throw e;
        } catch (IOException e) {
            collectorHealth(r, false, start);
            throw e;
        }
    }

    private static void collectorHealth(ProbeReadings r, boolean ok, long startNanos) {
        r.gauge("nvidia_smi_last_collect_success", "1 when the last nvidia-smi run succeeded", ok ? 1 : 0,
                LabelSet.EMPTY);
        r.gauge("nvidia_smi_last_collect_duration_seconds", "How long the last nvidia-smi run took",
                (System.nanoTime() - startNanos) / 1e9, LabelSet.EMPTY);
    }

    private List<GpuReading> query() throws Exception {
        NvidiaSmi.Result res = run();
        if (res.exitCode() != 0 && GpuCsv.unknownField(res.output())) {
            // drivers before 2024 know clocks_throttle_reasons.*, newer ones clocks_event_reasons.*
            oldSpelling = !oldSpelling;
            res = run();
        }
        if (res.exitCode() == NO_DRIVER) {
            throw new Probe.AbsentException("nvidia-smi cannot talk to an NVIDIA driver (exit 9): no GPU here");
        }
        if (res.exitCode() != 0) {
            throw new IOException("nvidia-smi exited with " + res.exitCode() + ": " + firstLine(res.output()));
        }
        if (res.output().isBlank()) {
            throw new Probe.AbsentException("nvidia-smi lists no GPU");
        }
        return GpuCsv.parse(res.output(), oldSpelling);
    }

    private NvidiaSmi.Result run() throws Exception {
        try {
            return smi.run(List.of("--query-gpu=" + String.join(",", GpuCsv.fields(oldSpelling)),
                    "--format=csv,noheader,nounits"));
        } catch (NvidiaSmi.NotInstalledException e) {
            throw new Probe.AbsentException("no nvidia-smi: " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
