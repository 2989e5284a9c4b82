package dev.odin.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.privacy.PrivacyProperties.Action;
import dev.odin.privacy.PrivacyProperties.Rule;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributeRulesTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static String hmac(byte[] key, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    @Test
    void dropsHashesAndRedactsByNameAndPattern() throws Exception {
        AttributeRules rules = new AttributeRules(List.of(new Rule("user.email", null, Action.HASH),
                new Rule(null, ".*\\.secret", Action.DROP), new Rule("session.id", null, Action.REDACT)), KEY, "t");
        List<KeyValue> in = Otlp.attrs("user.email", "dev@example.com", "api.secret", "s3cr3t", "session.id", "abc",
                "model", "claude-sonnet-4-5", "user.id", 42L);
        List<KeyValue> out = rules.apply(in);
        assertThat(out).containsExactlyElementsOf(Otlp.attrs("user.email", hmac(KEY, "dev@example.com"),
                "session.id", "REDACTED", "model", "claude-sonnet-4-5", "user.id", 42L));
        assertThat(rules.applied(Action.HASH)).isEqualTo(1);
        assertThat(rules.applied(Action.DROP)).isEqualTo(1);
        assertThat(rules.applied(Action.REDACT)).isEqualTo(1);
        // untouched attributes come back as the same list, without copying
        List<KeyValue> clean = Otlp.attrs("model", "x");
        assertThat(rules.apply(clean)).isSameAs(clean);
        // the hash is keyed: another key, another hash; the same key, the same hash
        AttributeRules other = new AttributeRules(List.of(new Rule("user.email", null, Action.HASH)),
                "another-key-of-32-bytes-length!!".getBytes(StandardCharsets.US_ASCII), "t");
        assertThat(other.hash("dev@example.com")).isNotEqualTo(rules.hash("dev@example.com"))
                .isEqualTo(hmac("another-key-of-32-bytes-length!!".getBytes(StandardCharsets.US_ASCII), "dev@example.com"));
    }

    @Test
    void refusesRulesThatSayNothingOrTooMuch() {
        assertThatThrownBy(() -> new AttributeRules(List.of(new Rule("a", "b", Action.DROP)), KEY, "odin.privacy.metrics"))
                .hasMessage("odin.privacy.metrics[0]: set exactly one of attribute and pattern");
        assertThatThrownBy(() -> new AttributeRules(List.of(new Rule("a", null, null)), KEY, "odin.privacy.events"))
                .hasMessage("odin.privacy.events[0]: action must be drop, hash or redact");
        assertThatThrownBy(() -> new AttributeRules(List.of(new Rule(null, "(", Action.DROP)), KEY, "x"))
                .hasMessageStartingWith("x[0]: pattern Unclosed group");
    }

    @Test
    void theDefaultsHashUserEmailInMetricsAndDropPromptsInEvents() {
        PrivacyProperties p = new PrivacyProperties("", null, null, null);
        assertThat(p.metrics()).containsExactly(new Rule("user.email", null, Action.HASH));
        assertThat(p.events()).containsExactly(new Rule("prompt", null, Action.DROP),
                new Rule("prompt_text", null, Action.DROP));
    }

    @Test
    void aGeneratedKeyIsKeptAcrossRestartsAndPrivateToOdin(@TempDir Path dir) throws Exception {
        byte[] first = HashKey.load("", dir);
        assertThat(first).hasSize(32);
        assertThat(HashKey.load("", dir)).isEqualTo(first);
        assertThat(Files.getPosixFilePermissions(dir.resolve("privacy/hash.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        Path shortKey = Files.writeString(dir.resolve("short"), "tiny");
        assertThatThrownBy(() -> HashKey.load(shortKey.toString(), dir)).hasMessageContaining("at least 16");
    }
}
