package dev.odin.config;

import org.apache.camel.spring.boot.CamelSpringBootInitializationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;

/**
 * Camel could not load or start the routes (a route file that is YAML but not a valid route, a
 * bean or endpoint it names that does not exist): one line naming the setting that says which
 * route files are loaded, instead of a Camel stack trace.
 */
public final class RouteLoadingAnalyzer extends AbstractFailureAnalyzer<CamelSpringBootInitializationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CamelSpringBootInitializationException cause) {
        return new FailureAnalysis("ODIN refuses to start: " + describe(cause),
                "Fix the route files or point odin.routes.include elsewhere (docs/configuration.md).", cause);
    }

    static String describe(Throwable failure) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getMessage().lines().map(String::strip).filter(l -> !l.isEmpty())
                        .reduce((a, b) -> a + " " + b).orElse(root.getClass().getSimpleName());
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        return "the routes of " + Settings.named("odin.routes.include") + " cannot be loaded: " + message;
    }
}
