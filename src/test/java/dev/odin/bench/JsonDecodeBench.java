package dev.odin.bench;

import com.google.protobuf.Message;
import dev.odin.receiver.otlp.OtlpJson;
import dev.odin.receiver.otlp.TreeOtlpJson;
import dev.odin.testing.LargeOtlpJson;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Bytes allocated and time taken to decode one ~7 MB OTLP/JSON metrics request: the tree path
 * ODIN had (Jackson tree, ids rewritten, toString, JsonFormat's own Gson tree) against the
 * streaming decoder. Allocation from ThreadMXBean.getThreadAllocatedBytes on the decoding thread.
 *
 * <pre>
 * ./mvnw -q test-compile
 * java -XX:+UseParallelGC -Xms64m -Xmx256m -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     dev.odin.bench.JsonDecodeBench [megabytes] [rounds]
 * </pre>
 * (cp.txt from {@code ./mvnw -q dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class JsonDecodeBench {

    private JsonDecodeBench() {
    }

    public static void main(String[] args) {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 7;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        byte[] json = LargeOtlpJson.jsonOfAbout(megabytes * 1024 * 1024);
        ExportMetricsServiceRequest expected = LargeOtlpJson.request((int) (megabytes * 1024 * 1024 / LargeOtlpJson.BYTES_PER_POINT));
        OtlpJson streaming = new OtlpJson(OtlpJson.Limits.DEFAULTS);
        System.out.printf("body: %.2f MB of OTLP/JSON, %d data points; decoded protobuf %.2f MB; %s, %d cores, %s%n",
                json.length / 1048576.0, expected.getResourceMetrics(0).getScopeMetrics(0).getMetricsList().stream()
                        .mapToInt(m -> m.getGauge().getDataPointsCount()).sum(),
                expected.getSerializedSize() / 1048576.0, System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getRuntimeMXBean().getInputArguments());
        run("tree + JsonFormat (before)", rounds, json, expected, b -> TreeOtlpJson.merge(json, b));
        run("streaming (now)", rounds, json, expected, b -> streaming.merge(json, b));
        System.out.printf("heap held by the decoded request: tree + JsonFormat %.1f MB, streaming %.1f MB%n",
                retained(b -> TreeOtlpJson.merge(json, b)) / 1048576.0, retained(b -> streaming.merge(json, b)) / 1048576.0);
    }

    /** Heap in use after a full GC with a decoded request held, less without it. */
    private static long retained(Consumer<Message.Builder> decode) {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        decode.accept(b);
        Message held = b.build();
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        if (held.getSerializedSize() == 0) {
            throw new AssertionError();
        }
        return after - before;
    }

    private static void run(String name, int rounds, byte[] json, Message expected, Consumer<Message.Builder> decode) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long[] allocated = new long[rounds];
        long[] millis = new long[rounds];
        for (int warm = 0; warm < 3; warm++) {
            ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
            decode.accept(b);
            if (!b.build().equals(expected)) {
                throw new AssertionError(name + " decoded something else");
            }
        }
        for (int i = 0; i < rounds; i++) {
            System.gc();
            long a0 = threads.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
            decode.accept(b);
            Message m = b.build();
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            allocated[i] = threads.getThreadAllocatedBytes(tid) - a0;
            if (m.getSerializedSize() == 0) {
                throw new AssertionError();
            }
        }
        Arrays.sort(allocated);
        Arrays.sort(millis);
        System.out.printf("%-28s allocated per request: median %.1f MB (%.1f x the body), min %.1f MB; time: median %d ms, min %d ms%n",
                name, allocated[rounds / 2] / 1048576.0, allocated[rounds / 2] / (double) json.length,
                allocated[0] / 1048576.0, millis[rounds / 2], millis[0]);
    }
}
