package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a {@link RefusedStartException} as one clear line instead of a bean-creation stack trace. */
public final class RefusedStartAnalyzer extends AbstractFailureAnalyzer<RefusedStartException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RefusedStartException cause) {
        return new FailureAnalysis("ODIN refuses to start: " + cause.getMessage(),
                "Change the configuration as the line above says (docs/configuration.md, \"Refused starts\"; docs/security.md).", cause);
    }
}
