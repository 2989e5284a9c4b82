package dev.odin.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The usage metrics by repository and branch:
 * {@code odin_claude_repository_tokens_total{source, machine, repository, branch, type}} and
 * {@code odin_claude_repository_cost_usd_total{source, machine, repository, branch}}. Capped: at
 * most {@code labelLimit} repositories and {@code branchLimit} branches per repository; usage of
 * any further one is counted under "other" (repository and branch, or branch) and the records so
 * counted in {@code odin_claude_repository_label_overflow_total{label}} (repository, branch). The
 * label sets as a whole are capped at {@link UsageRecorder#MAX_LABEL_SETS} (many machines):
 * further ones count under repository and branch "other" too.
 */
final class RepositoryUsage {

    static final String OTHER = "other";
    private static final String[] TYPES = UsageRecorder.TYPES;

    private final MeterRegistry registry;
    private final int labelLimit;
    private final int branchLimit;
    private final Map<String, Set<String>> branches = new HashMap<>();
    private final Map<String, Counter[]> counters = new HashMap<>();
    private final Counter repositoryOverflow;
    private final Counter branchOverflow;

    RepositoryUsage(MeterRegistry registry, RepositoryProperties config) {
        this.registry = registry;
        this.labelLimit = config.labelLimit();
        this.branchLimit = config.branchLimit();
        this.repositoryOverflow = overflow("repository");
        this.branchOverflow = overflow("branch");
    }

    private Counter overflow(String label) {
        return Counter.builder("odin.claude.repository.label.overflow")
                .description("Usage records counted under \"other\" in the repository usage metrics: the label's cap"
                        + " (odin.claude.repositories.label-limit, .branch-limit) was reached")
                .tag("label", label).register(registry);
    }

    synchronized void count(UsageEvent e) {
        String repository = e.repository();
        String branch = e.branch();
        Set<String> known = branches.get(repository);
        if (known == null) {
            if (branches.size() >= labelLimit) {
                repository = OTHER;
                branch = OTHER;
                repositoryOverflow.increment();
            } else {
                known = new HashSet<>();
                branches.put(repository, known);
            }
        }
        if (known != null && !known.contains(branch)) {
            if (known.size() >= branchLimit) {
                branch = OTHER;
                branchOverflow.increment();
            } else {
                known.add(branch);
            }
        }
        String machine = e.machine() == null ? "" : e.machine();
        String key = e.source() + '\u0000' + machine + '\u0000' + repository + '\u0000' + branch;
        Counter[] c = counters.get(key);
        if (c == null) {
            if (counters.size() >= UsageRecorder.MAX_LABEL_SETS) {
                repository = OTHER;
                branch = OTHER;
                repositoryOverflow.increment();
                key = e.source() + '\u0000' + machine + '\u0000' + repository + '\u0000' + branch;
                c = counters.get(key);
            }
            if (c == null) {
                c = create(e.source(), machine, repository, branch);
                counters.put(key, c);
            }
        }
        UsageRecorder.count(c, e);
    }

    private Counter[] create(String source, String machine, String repository, String branch) {
        Counter[] c = new Counter[TYPES.length + 1];
        for (int i = 0; i < TYPES.length; i++) {
            c[i] = Counter.builder("odin.claude.repository.tokens")
                    .description("Claude Code tokens by repository and branch, counted once per request")
                    .tags("source", source, "machine", machine, "repository", repository, "branch", branch,
                            "type", TYPES[i])
                    .register(registry);
        }
        c[TYPES.length] = Counter.builder("odin.claude.repository.cost").baseUnit("usd")
                .description("Claude Code cost in USD by repository and branch")
                .tags("source", source, "machine", machine, "repository", repository, "branch", branch)
                .register(registry);
        return c;
    }
}
