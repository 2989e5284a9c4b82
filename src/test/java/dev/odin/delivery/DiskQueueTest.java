package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.testing.MutableClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskQueueTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> payloads(List<DiskQueue.Record> records) {
        List<String> out = new ArrayList<>();
        for (DiskQueue.Record r : records) {
            out.add(new String(r.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void firstInFirstOutAcrossSegmentsAndRestarts() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, true, clock)) {
            for (int i = 0; i < 50; i++) {
                q.append((byte) 1, 2, bytes("record-" + i + "-" + "x".repeat(3000)));
            }
            assertThat(q.pendingRecords()).isEqualTo(100); // items, two a record
            List<DiskQueue.Record> first = q.peek(10_000, 1000);
            assertThat(first).hasSize(3); // about 10 KB of payload
            assertThat(payloads(first).get(0)).startsWith("record-0-");
            q.ack(first);
            assertThat(q.pendingRecords()).isEqualTo(94);
            clock.advance(Duration.ofSeconds(5));
            assertThat(q.oldestEnqueuedMillis()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
        }
        // restart: delivery resumes after the last acknowledged record
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, true, clock)) {
            assertThat(q.pendingRecords()).isEqualTo(94);
            List<String> rest = new ArrayList<>();
            List<DiskQueue.Record> batch;
            while (!(batch = q.peek(100_000, 7)).isEmpty()) {
                rest.addAll(payloads(batch));
                q.ack(batch);
            }
            assertThat(rest).hasSize(47);
            for (int i = 0; i < 47; i++) {
                assertThat(rest.get(i)).startsWith("record-" + (i + 3) + "-");
            }
            assertThat(q.pendingRecords()).isZero();
            assertThat(q.pendingBytes()).isZero();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".seg")).count()).isEqualTo(1); // consumed ones deleted
        }
    }

    @Test
    void aTornWriteIsCutOffOnRestart() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, true, clock)) {
            q.append((byte) 1, 1, bytes("whole"));
        }
        Path seg;
        try (Stream<Path> files = Files.list(dir)) {
            seg = files.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3})); // half a record
        }
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, true, clock)) {
            assertThat(payloads(q.peek(1000, 10))).containsExactly("whole");
            q.append((byte) 1, 1, bytes("after"));
            assertThat(payloads(q.peek(1000, 10))).containsExactly("whole", "after");
        }
    }

    @Test
    void atItsBoundTheOldestIsDroppedAndCounted() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 8 * 64 * 1024, true, clock)) { // 64 KB segments
            byte[] payload = new byte[1000];
            for (int i = 0; i < 2000; i++) {
                q.append((byte) 1, 1, payload);
            }
            assertThat(q.diskBytes()).isLessThanOrEqualTo(8 * 64 * 1024);
            assertThat(q.droppedRecords()).isPositive();
            assertThat(q.pendingRecords() + q.droppedRecords()).isEqualTo(2000);
        }
    }

    @Test
    void atItsBoundItRefusesWhenDroppingIsOff() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 8 * 64 * 1024, false, clock)) {
            byte[] payload = new byte[1000];
            assertThatThrownBy(() -> {
                for (int i = 0; i < 2000; i++) {
                    q.append((byte) 1, 1, payload);
                }
            }).isInstanceOf(QueueFullException.class).hasMessageContaining("retry later");
            long held = q.pendingRecords();
            assertThat(q.droppedRecords()).isZero();
            q.ack(q.peek(Long.MAX_VALUE, 200)); // delivery frees room
            q.append((byte) 1, 1, payload);
            assertThat(q.pendingRecords()).isEqualTo(held - 200 + 1);
        }
    }

    @Test
    void concurrentWritersShareSyncs() throws Exception {
        try (DiskQueue q = new DiskQueue(dir, 64 << 20, true, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        q.append((byte) 1, 1, bytes(thread + ":" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            List<String> all = payloads(q.peek(Long.MAX_VALUE, 10_000));
            assertThat(all).hasSize(1600);
            for (int t = 0; t < 8; t++) {
                int thread = t;
                List<String> mine = all.stream().filter(s -> s.startsWith(thread + ":")).toList();
                for (int i = 0; i < 200; i++) {
                    assertThat(mine.get(i)).isEqualTo(thread + ":" + i); // each writer's order kept
                }
            }
        }
    }
}
