package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;

/** The claude-statusline route must hold the intake step: without it the route would echo the request's body. */
class StatuslineRouteSetCheckTest {

    private static RouteDefinition route(String... beans) {
        RouteDefinition r = new RouteDefinition();
        r.from("platform-http:/api/statusline?httpMethodRestrict=POST&useStreaming=true").routeId("claude-statusline");
        for (String b : beans) {
            r.bean(b.substring(0, b.indexOf('.')), b.substring(b.indexOf('.') + 1));
        }
        return r;
    }

    @Test
    void theStatuslineRouteMustIngest() {
        assertThat(RouteSetCheck.missingSteps(List.of(route("statusline.ingest")), RouteSetCheck.REQUIRED_STEPS))
                .isEmpty();
        assertThat(RouteSetCheck.missingSteps(List.of(route("statusline.fail")), RouteSetCheck.REQUIRED_STEPS))
                .containsExactly("route claude-statusline (from platform-http:/api/statusline) lacks the statusline"
                        + " intake (bean statusline.ingest) on every request's path (not only in a wireTap, a filter"
                        + " or some branches of a choice)");
    }
}
