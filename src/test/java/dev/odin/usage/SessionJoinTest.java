package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telemetry joined to its session's repository, and compared with the transcript's cost. */
class SessionJoinTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path tmp;
    private SimpleMeterRegistry registry;
    private UsageStore store;
    private UsageRecorder recorder;

    @BeforeEach
    void setUp() throws Exception {
        registry = new SimpleMeterRegistry();
        store = new UsageStore(tmp, 400);
        recorder = new UsageRecorder(store, registry, Clock.fixed(NOW, ZoneOffset.UTC),
                new RepositoryProperties(100, 20, 10, 10, 2, Duration.ofMinutes(15)));
    }

    private static UsageEvent transcript(String session, Instant at, String cost) {
        return new UsageEvent(at, UsageEvent.TRANSCRIPT, "laptop", "-w-app", session, "claude-sonnet-4-5",
                new TokenUsage(10, 1, 0, 0, 0), new BigDecimal(cost), "m-" + at, "r", "me", "",
                "github.com/org/app", "main");
    }

    private static UsageEvent telemetry(String session, Instant at, String cost) {
        return new UsageEvent(at, UsageEvent.TELEMETRY, "laptop.local", "", session, "claude-sonnet-4-5",
                new TokenUsage(10, 1, 0, 0, 0), new BigDecimal(cost), null, null, "me", "");
    }

    private double transcriptCost() {
        return registry.get("odin.claude.telemetry.coverage.transcript").tag("machine", "laptop").counter().count();
    }

    private double telemetryCost() {
        return registry.get("odin.claude.telemetry.coverage.telemetry").tag("machine", "laptop").counter().count();
    }

    private double withoutTelemetry() {
        return registry.get("odin.claude.sessions.without.telemetry").tag("machine", "laptop").gauge().value();
    }

    @Test
    void telemetryForHalfTheCostShowsAsHalfMissing() throws Exception {
        Instant t = NOW.minusSeconds(60);
        recorder.record(List.of(transcript("s1", t, "0.40"), transcript("s1", t.plusSeconds(5), "0.60")));
        recorder.record(List.of(telemetry("s1", t.plusSeconds(2), "0.50")));
        recorder.record(List.of(transcript("s2", t, "0.25")));
        assertThat(transcriptCost()).isEqualTo(1.25);
        assertThat(telemetryCost()).isEqualTo(0.5);
        assertThat(withoutTelemetry()).isEqualTo(1.0); // s2
        // the telemetry event was stored with its session's repository
        List<UsageEvent> stored = new ArrayList<>();
        store.read(null, stored::add);
        assertThat(stored).filteredOn(e -> e.source().equals(UsageEvent.TELEMETRY))
                .extracting(UsageEvent::repository, UsageEvent::branch)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("github.com/org/app", "main"));
        assertThat(registry.get("odin.claude.repository.cost").tag("source", "telemetry")
                .tag("repository", "github.com/org/app").tag("branch", "main").counter().count()).isEqualTo(0.5);
    }

    @Test
    void telemetryBeforeTheTranscriptsFirstLineWaitsAndIsAddedThen() throws Exception {
        Instant t = NOW.minusSeconds(30);
        recorder.record(List.of(telemetry("s1", t, "0.30")));
        assertThat(registry.find("odin.claude.telemetry.coverage.telemetry").counter()).isNull();
        assertThat(recorder.join().waiting()).isEqualTo(1);
        recorder.record(List.of(transcript("s1", t, "0.30")));
        assertThat(transcriptCost()).isEqualTo(0.3);
        assertThat(telemetryCost()).isEqualTo(0.3);
        assertThat(recorder.join().waiting()).isZero();
        assertThat(withoutTelemetry()).isZero();
    }

    @Test
    void oldUsageABackfillStaysOutOfTheComparison() throws Exception {
        Instant old = NOW.minus(Duration.ofHours(3));
        recorder.record(List.of(transcript("s1", old, "5.00"), telemetry("s1", old, "1.00")));
        assertThat(registry.find("odin.claude.telemetry.coverage.transcript").counter()).isNull();
        assertThat(registry.find("odin.claude.telemetry.coverage.telemetry").counter()).isNull();
        // still attributed
        List<UsageEvent> stored = new ArrayList<>();
        store.read(null, stored::add);
        assertThat(stored).extracting(UsageEvent::repository).containsOnly("github.com/org/app");
    }

    @Test
    void telemetryOfSessionsNoTranscriptNamedKeepsNoRepositoryAndWaitingIsBounded() throws Exception {
        Instant t = NOW.minusSeconds(10);
        for (int i = 0; i < 25; i++) {
            recorder.record(List.of(telemetry("elsewhere-" + i, t, "0.01")));
        }
        assertThat(recorder.join().waiting()).isEqualTo(10);
        List<UsageEvent> stored = new ArrayList<>();
        store.read(null, stored::add);
        assertThat(stored).extracting(UsageEvent::repository).containsOnly("");
    }

    @Test
    void theSessionInfoSeriesIsCappedToTheMostRecentSessions() throws Exception {
        Instant t = NOW.minusSeconds(10);
        recorder.record(List.of(transcript("s1", t, "0.01")));
        recorder.record(List.of(transcript("s2", t, "0.01")));
        recorder.record(List.of(transcript("s3", t, "0.01")));
        assertThat(registry.find("odin.claude.session.repository.info").gauges())
                .extracting(g -> g.getId().getTag("session_id")).containsExactlyInAnyOrder("s2", "s3");
        var info = registry.get("odin.claude.session.repository.info").tag("session_id", "s3").gauge();
        assertThat(info.value()).isEqualTo(1.0);
        assertThat(info.getId().getTag("repository")).isEqualTo("github.com/org/app");
        assertThat(info.getId().getTag("branch")).isEqualTo("main");
        assertThat(info.getId().getTag("machine")).isEqualTo("laptop");
        // sessions themselves are bounded too (10), and their info with them
        for (int i = 0; i < 20; i++) {
            recorder.record(List.of(transcript("x" + i, t, "0.01")));
        }
        assertThat(recorder.join().sessions()).isEqualTo(10);
        assertThat(registry.find("odin.claude.session.repository.info").gauges()).hasSize(2);
    }

    @Test
    void machinesAreCappedEvenWithinOneBatch() throws Exception {
        registry = new SimpleMeterRegistry();
        UsageRecorder many = new UsageRecorder(store, registry, Clock.fixed(NOW, ZoneOffset.UTC),
                new RepositoryProperties(100, 20, 10, 1000, 0, Duration.ofMinutes(15)));
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            batch.add(new UsageEvent(NOW, UsageEvent.TRANSCRIPT, "box-" + i, "p", "s" + i, "claude-sonnet-4-5",
                    new TokenUsage(1, 0, 0, 0, 0), new BigDecimal("0.01"), null, null, "", "", "r", "main"));
        }
        many.record(batch);
        var counters = registry.find("odin.claude.telemetry.coverage.transcript").counters();
        assertThat(counters).hasSize(SessionJoin.MAX_MACHINES);
        assertThat(registry.get("odin.claude.telemetry.coverage.transcript").tag("machine", "other").counter().count())
                .isCloseTo(0.51, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(registry.get("odin.claude.sessions.without.telemetry").tag("machine", "other").gauge().value())
                .isEqualTo(51.0);
    }

    @Test
    void repositoryAndBranchLabelsAreCappedAndTheOverflowCounted() throws Exception {
        registry = new SimpleMeterRegistry();
        UsageRecorder capped = new UsageRecorder(store, registry, Clock.fixed(NOW, ZoneOffset.UTC),
                new RepositoryProperties(2, 2, 10, 10, 0, Duration.ofMinutes(15)));
        List<UsageEvent> events = new ArrayList<>();
        for (String[] rb : new String[][] {{"r1", "main"}, {"r1", "b2"}, {"r1", "b3"}, {"r2", "main"}, {"r3", "main"},
                {"r4", "x"}}) {
            events.add(new UsageEvent(NOW, UsageEvent.TRANSCRIPT, "m", "p", "s", "claude-sonnet-4-5",
                    new TokenUsage(1, 0, 0, 0, 0), new BigDecimal("0.5"), null, null, "", "", rb[0], rb[1]));
        }
        capped.record(events);
        assertThat(registry.find("odin.claude.repository.cost").counters())
                .extracting(c -> c.getId().getTag("repository") + "@" + c.getId().getTag("branch") + "=" + c.count())
                .containsExactlyInAnyOrder("r1@main=0.5", "r1@b2=0.5", "r1@other=0.5", "r2@main=0.5", "other@other=1.0");
        assertThat(registry.get("odin.claude.repository.label.overflow").tag("label", "repository").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("odin.claude.repository.label.overflow").tag("label", "branch").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("odin.claude.session.repository.info").gauges()).isEmpty();
    }
}
