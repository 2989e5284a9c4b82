package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk queue on a disk that fills up (issue 13, finding 6), with writes and syncs failing
 * as ENOSPC and EIO make them fail: a failed append leaves nothing behind, a failed sync takes
 * its records back, a cursor that cannot be saved is retried, and a restart afterwards finds
 * exactly what was acknowledged and not delivered.
 */
class DiskQueueFaultsTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

    private DiskQueue faulty(long maxBytes) throws IOException {
        return new DiskQueue(dir, maxBytes, true, clock, FaultyChannel.opener(faults));
    }

    private DiskQueue plain(long maxBytes) throws IOException {
        return new DiskQueue(dir, maxBytes, true, clock);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> all(DiskQueue q) throws IOException {
        List<String> out = new ArrayList<>();
        for (DiskQueue.Record r : q.peek(Long.MAX_VALUE, 100_000)) {
            out.add(new String(r.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void anAppendThatRunsOutOfSpaceHalfWayLeavesNothingBehind() throws IOException {
        try (DiskQueue q = faulty(1 << 20)) {
            q.append((byte) 1, 1, bytes("a-" + "x".repeat(100)));
            faults.writeBudget = 40; // the next record gets 40 bytes into the file, then ENOSPC
            assertThatThrownBy(() -> q.append((byte) 1, 1, bytes("b-" + "y".repeat(100))))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
            assertThat(q.pendingRecords()).isEqualTo(1);
            assertThat(all(q)).containsExactly("a-" + "x".repeat(100));
            faults.writeBudget = -1; // space is back
            q.append((byte) 1, 1, bytes("c"));
            assertThat(all(q)).containsExactly("a-" + "x".repeat(100), "c");
        }
        try (DiskQueue q = plain(1 << 20)) { // the file holds no torn bytes between a and c
            assertThat(q.pendingRecords()).isEqualTo(2);
            assertThat(all(q)).containsExactly("a-" + "x".repeat(100), "c");
        }
    }

    @Test
    void aFailedSyncTakesItsRecordsBackAndReadersNeverSawThem() throws IOException {
        try (DiskQueue q = faulty(1 << 20)) {
            q.append((byte) 1, 3, bytes("durable"));
            faults.failForce = true;
            assertThatThrownBy(() -> q.append((byte) 1, 5, bytes("refused")))
                    .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
            assertThat(q.pendingRecords()).isEqualTo(3);
            assertThat(q.pendingBytes()).isEqualTo("durable".length());
            assertThat(all(q)).containsExactly("durable");
            faults.failForce = false;
            q.append((byte) 1, 1, bytes("later"));
            assertThat(all(q)).containsExactly("durable", "later");
        }
        try (DiskQueue q = plain(1 << 20)) {
            assertThat(all(q)).containsExactly("durable", "later");
            assertThat(q.pendingRecords()).isEqualTo(4);
        }
    }

    @Test
    void aFailedSyncWhenRollingToTheNextSegmentRefusesOnlyThatAppend() throws IOException {
        try (DiskQueue q = faulty(8 * 64 * 1024)) { // 64 KB segments
            String big = "z".repeat(30_000);
            q.append((byte) 1, 1, bytes("1" + big));
            q.append((byte) 1, 1, bytes("2" + big));
            faults.failForce = true; // the third needs a new segment: the roll's sync fails
            assertThatThrownBy(() -> q.append((byte) 1, 1, bytes("3" + big))).isInstanceOf(IOException.class);
            faults.failForce = false;
            q.append((byte) 1, 1, bytes("4" + big));
            assertThat(all(q)).extracting(s -> s.substring(0, 1)).containsExactly("1", "2", "4");
        }
        try (DiskQueue q = plain(8 * 64 * 1024)) {
            assertThat(all(q)).extracting(s -> s.substring(0, 1)).containsExactly("1", "2", "4");
        }
    }

    @Test
    void anUnsavedCursorStillFreesDeliveredSegmentsAndIsSavedOnceSpaceReturns() throws IOException {
        String big = "q".repeat(20_000);
        try (DiskQueue q = faulty(8 * 64 * 1024)) { // 64 KB segments: three records each
            for (int i = 0; i < 9; i++) {
                q.append((byte) 1, 1, bytes(i + big));
            }
            assertThat(segmentFiles()).isEqualTo(3);
            List<DiskQueue.Record> first = q.peek(Long.MAX_VALUE, 4); // segment 1 and one of segment 2
            faults.failFilesStartingWith = "cursor";
            assertThatThrownBy(() -> q.ack(first)).isInstanceOf(IOException.class);
            assertThat(q.cursorUnsaved()).isTrue();
            assertThat(segmentFiles()).as("the delivered segment is deleted all the same").isEqualTo(2);
            assertThat(q.pendingRecords()).isEqualTo(5);
            assertThat(all(q).get(0)).startsWith("4");
            assertThatThrownBy(q::saveCursor).isInstanceOf(IOException.class);
            assertThat(Files.exists(dir.resolve("cursor.tmp"))).isFalse();
            faults.failFilesStartingWith = null;
            q.saveCursor();
            assertThat(q.cursorUnsaved()).isFalse();
        }
        try (DiskQueue q = plain(8 * 64 * 1024)) { // after a restart: only what was not delivered
            assertThat(q.pendingRecords()).isEqualTo(5);
            assertThat(all(q)).extracting(s -> s.substring(0, 1)).containsExactly("4", "5", "6", "7", "8");
        }
    }

    @Test
    void aRestartWithTheCursorStillUnsavedResendsAtMostTheSegmentsNotYetDeleted() throws IOException {
        String big = "r".repeat(20_000);
        try (DiskQueue q = faulty(8 * 64 * 1024)) {
            for (int i = 0; i < 9; i++) {
                q.append((byte) 1, 1, bytes(i + big));
            }
            faults.failFilesStartingWith = "cursor"; // and the disk never frees up before the restart
            assertThatThrownBy(() -> q.ack(q.peek(Long.MAX_VALUE, 4))).isInstanceOf(IOException.class);
        }
        try (DiskQueue q = plain(8 * 64 * 1024)) {
            // segment 1 is gone, so its records cannot come again; record 3 (delivered) can
            assertThat(all(q)).extracting(s -> s.substring(0, 1)).containsExactly("3", "4", "5", "6", "7", "8");
        }
    }

    @Test
    void anUnreadableCursorMeansDeliveringFromTheOldestRecordNotRefusingToStart() throws IOException {
        try (DiskQueue q = plain(1 << 20)) {
            q.append((byte) 1, 1, bytes("one"));
            q.append((byte) 1, 1, bytes("two"));
            q.ack(q.peek(Long.MAX_VALUE, 1));
        }
        Files.writeString(dir.resolve("cursor"), ""); // e.g. a power loss before the data reached the disk
        try (DiskQueue q = plain(1 << 20)) {
            assertThat(all(q)).containsExactly("one", "two");
        }
    }
}
