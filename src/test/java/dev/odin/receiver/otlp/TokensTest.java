package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    private static final String A = "tok-aaaaaaaaaaaaaaaaaaaa";
    private static final String B = "tok-bbbbbbbbbbbbbbbbbbbb";

    @Test
    void parsesTokensWithAndWithoutTenant() {
        Tokens t = Tokens.parse("# ODIN tokens\n\n" + A + " team-a\n  " + B + "  \n");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.lookup(A)).isEqualTo(new Tokens.Principal("team-a"));
        assertThat(t.lookup(B)).isEqualTo(new Tokens.Principal(""));
        assertThat(t.lookup("tok-cccccccccccccccccccc")).isNull();
    }

    @Test
    void refusesBadLinesNamingTheLine() {
        assertThatThrownBy(() -> Tokens.parse(A + "\nshort\n")).hasMessage(
                "line 2: a token must be at least 16 characters long");
        assertThatThrownBy(() -> Tokens.parse(A + " team/a")).hasMessageStartingWith("line 1: tenant 'team/a' must be");
        assertThatThrownBy(() -> Tokens.parse(A + " a b")).hasMessage("line 1: expected 'token [tenant]', found 3 words");
        assertThatThrownBy(() -> Tokens.parse(A + " x\n" + A + " y")).hasMessage("line 2: the same token appears twice");
        assertThatThrownBy(() -> Tokens.parse("# all commented out\n\n")).hasMessage("no tokens in the file");
    }

    @Test
    void checksHeadersAndCountsRefusals() throws Exception {
        Path file = Files.createTempFile("tokens", ".txt");
        Files.writeString(file, A + " team-a\n");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TokenAuthenticator auth = new TokenAuthenticator(file, registry);
        assertThat(auth.check("Bearer " + A, "http").principal().tenant()).isEqualTo("team-a");
        assertThat(auth.check("bearer  " + A + " ", "http").allowed()).isTrue();
        assertThat(auth.check(null, "http").refusal()).isEqualTo(TokenAuthenticator.Refusal.MISSING);
        assertThat(auth.check("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "grpc").refusal())
                .isEqualTo(TokenAuthenticator.Refusal.MALFORMED);
        assertThat(auth.check("Bearer " + B, "grpc").refusal()).isEqualTo(TokenAuthenticator.Refusal.UNKNOWN);
        assertThat(registry.get("odin.auth.refused").tag("transport", "grpc").tag("reason", "unknown").counter()
                .count()).isEqualTo(1.0);
        assertThat(registry.get("odin.auth.refused").tag("transport", "http").tag("reason", "missing").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void reloadAppliesAChangeAndKeepsTheOldTokensWhenTheNewFileIsBroken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, A + " team-a\n");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TokenAuthenticator auth = new TokenAuthenticator(file, registry);
        Files.writeString(file, B + " team-b\n");
        auth.reload();
        assertThat(auth.check("Bearer " + A, "http").allowed()).isFalse();
        assertThat(auth.check("Bearer " + B, "http").principal().tenant()).isEqualTo("team-b");
        Files.writeString(file, "tooshort\n");
        auth.reload();
        auth.reload(); // the same broken content is refused once
        assertThat(auth.check("Bearer " + B, "http").allowed()).isTrue();
        assertThat(auth.lastError()).contains("line 1: a token must be at least 16 characters long");
        assertThat(registry.get("odin.auth.token.reloads").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("odin.auth.token.reload.failures").counter().count()).isEqualTo(1.0);
        Files.delete(file);
        auth.reload();
        assertThat(auth.check("Bearer " + B, "http").allowed()).isTrue();
        assertThat(auth.lastError()).startsWith("cannot read");
    }
}
