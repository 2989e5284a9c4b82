package dev.odin.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracesPrivacyTest {

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    final AttributeRules rules = new AttributeRules(new PrivacyProperties("", null, null, null).traces(), new byte[32],
            "odin.privacy.traces");
    final TracesPrivacy privacy = new TracesPrivacy(rules);

    @Test
    void theDefaultsHashTheUserAndDropPromptsWhereverASpanCarriesThem() {
        ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("user.email", "dev@example.com"))
                        .addAttributes(kv("service.name", "claude-code")))
                .addScopeSpans(ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().addAttributes(kv("prompt", "scope secret")))
                        .addSpans(Span.newBuilder().setName("claude_code.interaction")
                                .addAttributes(kv("prompt", "the secret")).addAttributes(kv("user_prompt_length", "10"))
                                .addEvents(Span.Event.newBuilder().setName("e").addAttributes(kv("prompt_text", "x"))
                                        .addAttributes(kv("user.email", "dev@example.com")))
                                .addLinks(Span.Link.newBuilder().addAttributes(kv("user.email", "dev@example.com"))))))
                .build();
        ExportTraceServiceRequest out = privacy.applyRules(in);
        String hashed = rules.hash("dev@example.com");
        ResourceSpans rs = out.getResourceSpans(0);
        assertThat(rs.getResource().getAttributesList()).containsExactly(kv("user.email", hashed),
                kv("service.name", "claude-code"));
        assertThat(rs.getScopeSpans(0).getScope().getAttributesList()).isEmpty();
        Span span = rs.getScopeSpans(0).getSpans(0);
        assertThat(span.getAttributesList()).containsExactly(kv("user_prompt_length", "10"));
        assertThat(span.getEvents(0).getAttributesList()).containsExactly(kv("user.email", hashed));
        assertThat(span.getLinks(0).getAttributesList()).containsExactly(kv("user.email", hashed));
        assertThat(out.toString()).doesNotContain("dev@example.com").doesNotContain("secret");
    }

    @Test
    void aRequestNoRuleTouchesIsPassedOnAsItIs() {
        ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("s")
                        .addAttributes(kv("tool_name", "Bash"))))).build();
        assertThat(privacy.applyRules(in)).isSameAs(in);
        assertThat(new TracesPrivacy(new AttributeRules(List.of(), new byte[32], "x")).applyRules(in)).isSameAs(in);
    }
}
