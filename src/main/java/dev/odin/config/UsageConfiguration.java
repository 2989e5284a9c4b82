package dev.odin.config;

import dev.odin.usage.ClaudeProperties;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.usage.BudgetWatch;
import dev.odin.usage.GitRepositories;
import dev.odin.usage.RepositoryProperties;
import dev.odin.usage.SessionJoin;
import dev.odin.usage.Pricing;
import dev.odin.usage.UnpricedRequests;
import dev.odin.usage.TelemetryUsage;
import dev.odin.usage.TranscriptEvents;
import dev.odin.usage.TranscriptFollower;
import dev.odin.usage.TranscriptOffsets;
import dev.odin.usage.TranscriptParser;
import dev.odin.usage.UsageEndpoints;
import dev.odin.usage.UsageEvent;
import dev.odin.usage.UsageLogRecords;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.time.Duration;
import java.util.List;
import dev.odin.usage.UsageLedger;
import dev.odin.usage.UsageRecorder;
import dev.odin.usage.UsageStore;
import dev.odin.usage.UsageUsers;
import dev.odin.privacy.EventsPrivacy;
import dev.odin.privacy.MetricsPrivacy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Claude Code usage accounting: the price table, the per-request history, the transcript
 * follower the claude-transcripts route calls, the telemetry tap in otlp-logs, and the usage
 * API and page (docs/usage.md).
 */
@Configuration(proxyBeanMethods = false)
public class UsageConfiguration {

    /** Requests the ledger remembers for de-duplication (a resumed session's copies come within days). */
    static final int LEDGER_REQUESTS = 200_000;

    @Bean
    public Clock usageClock() {
        return Clock.systemUTC();
    }

    @Bean
    public Pricing pricing(ClaudeProperties claude) throws IOException {
        if (claude.pricingFile().isBlank()) {
            return Pricing.builtIn();
        }
        try (InputStream in = Files.newInputStream(Path.of(claude.pricingFile()))) {
            return Pricing.parse(in);
        }
    }

    /** odin_claude_unpriced_requests_total{source,model}: requests the price table has no price for. */
    @Bean
    public UnpricedRequests unpricedRequests(MeterRegistry registry) {
        return new UnpricedRequests(registry);
    }

    /** The privacy rules for the users the history keeps: the event rules, then the metric rules. */
    @Bean
    public UsageUsers usageUsers(EventsPrivacy applyEventPrivacy, MetricsPrivacy applyMetricPrivacy) {
        return new UsageUsers(applyEventPrivacy.rules(), applyMetricPrivacy.rules());
    }

    /** The history; users written in clear before the privacy rules reached it are rewritten first. */
    @Bean
    public UsageStore usageStore(OdinProperties odin, ClaudeProperties claude, UsageUsers users) throws IOException {
        UsageStore store = new UsageStore(Path.of(odin.getDataDir()).resolve("usage"), claude.retentionDays());
        store.migrateUsers(users);
        return store;
    }

    @Bean
    public UsageRecorder usageRecorder(UsageStore store, MeterRegistry registry, Clock usageClock,
            RepositoryProperties repositories) {
        UsageRecorder recorder = new UsageRecorder(store, registry, usageClock, repositories);
        Gauge.builder("odin.claude.repositories.sessions", recorder.join(), SessionJoin::sessions)
                .description("Sessions remembered for the telemetry join (odin.claude.repositories.sessions)")
                .register(registry);
        return recorder;
    }

    @Bean
    public TranscriptFollower transcriptFollower(ClaudeProperties claude, OdinProperties odin, UsageStore store,
            Pricing pricing, UsageRecorder recorder, MeterRegistry registry, Clock usageClock, UsageUsers users,
            RepositoryProperties repositories, UnpricedRequests unpricedRequests) throws IOException {
        TranscriptParser parser = new TranscriptParser();
        UsageLedger ledger = new UsageLedger(LEDGER_REQUESTS);
        String machine = claude.machine().isBlank() ? hostName() : claude.machine();
        // what was counted in the last week, so lines read again after a restart are repeats: this
        // machine's own transcripts only (a central's history also holds the laptops' forwarded
        // usage, which would push its own requests out of the ledger)
        store.read(LocalDate.now(usageClock.withZone(ZoneOffset.UTC)).minusDays(7), e -> {
            if (UsageEvent.TRANSCRIPT.equals(e.source()) && machine.equals(e.machine())) {
                ledger.remember(e.messageId(), e.requestId(), e.tokens());
            }
        });
        TranscriptFollower follower = new TranscriptFollower(Path.of(claude.transcriptsDir()),
                new TranscriptOffsets(Path.of(odin.getDataDir()).resolve("usage").resolve("transcript-offsets.json")),
                parser, ledger, pricing, recorder, machine,
                users.configured(claude.user().isBlank() ? System.getProperty("user.name", "") : claude.user()),
                claude.team(), new GitRepositories(repositories.directories()), unpricedRequests);
        FunctionCounter.builder("odin.claude.transcript.lines", follower, TranscriptFollower::linesRead)
                .description("Transcript lines read").register(registry);
        FunctionCounter.builder("odin.claude.transcript.malformed", parser, TranscriptParser::malformed)
                .description("Transcript lines that could not be read (skipped, never fatal)").register(registry);
        FunctionCounter.builder("odin.claude.transcript.rewinds", follower, TranscriptFollower::rewinds)
                .description("Transcript files found truncated or rewritten, read again from the start")
                .register(registry);
        FunctionCounter.builder("odin.claude.transcript.unpriced", follower, TranscriptFollower::unpriced)
                .description("Usage lines whose model is not in the price table (tokens counted, cost not)")
                .register(registry);
        return follower;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Route step (claude-transcripts): the file the file consumer found new or changed, read; the
     * body becomes the new usage as OTLP log records for the event sink (null when none is recent
     * enough).
     */
    @Bean
    public TranscriptEvents readTranscript(TranscriptFollower follower, ClaudeProperties claude, Clock usageClock) {
        return new TranscriptEvents(follower, usageClock, claude.eventMaxAge());
    }

    /** Route step (otlp-logs): api_request events as telemetry usage. */
    @Bean
    public TelemetryUsage recordTelemetryUsage(Pricing pricing, UsageRecorder recorder, MeterRegistry registry,
            UsageUsers users, UnpricedRequests unpricedRequests) {
        return new TelemetryUsage(pricing, recorder, registry, users, unpricedRequests);
    }

    /** Usage retention: day files past odin.claude.retention-days go, once an hour. */
    @Bean
    public PeriodicTask usageRetention(UsageStore store, Clock usageClock) {
        return new PeriodicTask("usage-retention", Duration.ofHours(1),
                () -> store.expire(LocalDate.now(usageClock.withZone(ZoneOffset.UTC))));
    }

    /** Budgets, day projections and active blocks, recomputed every odin.claude.budget-interval. */
    @Bean
    public BudgetWatch budgetWatch(UsageStore store, ClaudeProperties claude, Clock usageClock,
            MeterRegistry registry, UsageUsers users) {
        return new BudgetWatch(store, claude, usageClock, registry, users);
    }

    @Bean
    public PeriodicTask claudeBudgets(BudgetWatch watch, ClaudeProperties claude) {
        return new PeriodicTask("claude-budgets", claude.budgetInterval(), watch::update);
    }

    @Bean
    public UsageEndpoints.Api usageApiEndpoint(UsageStore store, Clock usageClock) {
        return new UsageEndpoints.Api(store, usageClock);
    }

    @Bean
    public UsageEndpoints.Page usagePageEndpoint() throws IOException {
        return new UsageEndpoints.Page();
    }
}
