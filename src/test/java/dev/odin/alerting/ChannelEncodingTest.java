package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.alerting.AlertingProperties.Channel.Type;
import dev.odin.testing.HttpStandIn;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What each service receives when alert data is hostile: titles outside Latin-1 and with line
 * breaks (ntfy's JSON publish API, an RFC 2047 mail subject), Slack and Discord control
 * sequences (escaped, while a template's own markup stays), header values, and which answers
 * are permanent. Over loopback stand-ins and a GreenMail SMTP server.
 */
class ChannelEncodingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String HOSTILE = "<!channel> <@U123> <https://evil.example|click> & @here @everyone <@&456> <@!789>";

    final HttpStandIn standIn = HttpStandIn.start();

    @AfterEach
    void stop() {
        standIn.close();
    }

    static AlertingProperties.Channel channel(Type type, String url) {
        AlertingProperties.Channel c = new AlertingProperties.Channel();
        c.setName(type.name().toLowerCase());
        c.setType(type);
        c.setUrl(url);
        c.setTimeout(Duration.ofSeconds(5));
        return c;
    }

    /** One firing alert with this name, summary and an extra label. */
    static WebhookMessage alert(String alertname, String severity, String summary) throws Exception {
        ObjectNode a = JSON.createObjectNode();
        a.put("status", "firing");
        a.putObject("labels").put("alertname", alertname).put("severity", severity).put("team", summary);
        a.putObject("annotations").put("summary", summary);
        a.put("startsAt", "2026-11-22T10:00:00Z");
        a.put("endsAt", "0001-01-01T00:00:00Z");
        a.put("generatorURL", "http://prometheus:9090/graph?g0.expr=up&g0.tab=1");
        ObjectNode m = JSON.createObjectNode();
        m.put("version", "4");
        m.put("receiver", "odin");
        m.put("status", "firing");
        m.putArray("alerts").add(a);
        m.putObject("groupLabels");
        m.putObject("commonLabels");
        m.putObject("commonAnnotations");
        m.put("externalURL", "http://alertmanager:9093");
        m.put("groupKey", "k");
        m.put("truncatedAlerts", 0);
        return WebhookDecoder.parse(JSON.writeValueAsBytes(m));
    }

    static Notification render(AlertingProperties.Channel c, WebhookMessage m) {
        return new MessageRenderer(c.getTitleTemplate(), c.getBodyTemplate(), ChannelText.escaper(c.getType()))
                .render(m, m.alerts, false);
    }

    @Test
    void ntfyGetsTheJsonPublishBodyWithAnyUnicodeTitleExactly() throws Exception {
        AlertingProperties.Channel c = channel(Type.NTFY, standIn.url("/odin-alerts"));
        // the docs' own template (docs/alerting.md), and an alert name with CJK and a line break
        c.setTitleTemplate("{{#resolved}}✅{{/resolved}}{{^resolved}}🔥{{/resolved}} {{alertname}}");
        String name = "磁盘满\r\nX-Injected: yes 😀";
        new HttpSender(c, HTTP).send(render(c, alert(name, "critical", "disk full")));

        HttpStandIn.Request r = standIn.next(Duration.ofSeconds(5));
        assertThat(r.path()).as("JSON is published to the server's root, not the topic URL").isEqualTo("/");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Title")).isNull();
        assertThat(r.header("X-Injected")).isNull();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("topic").asText()).isEqualTo("odin-alerts");
        assertThat(body.get("title").asText()).isEqualTo("🔥 " + name);
        assertThat(body.get("message").asText()).contains("FIRING: " + name + " [critical]").contains("disk full");
        assertThat(body.get("priority").isInt()).isTrue();
        assertThat(body.get("priority").asInt()).isEqualTo(5);
        assertThat(body.get("tags").isArray()).isTrue();
        assertThat(body.get("tags").get(0).asText()).isEqualTo("rotating_light");
    }

    @Test
    void ntfyUnderASubPathWithAuthQueryKeepsBoth() throws Exception {
        AlertingProperties.Channel c = channel(Type.NTFY, standIn.url("/ntfy/phone-alerts/?auth=dGs"));
        HttpSender sender = new HttpSender(c, HTTP);
        Notification n = render(c, alert("Down", "warning", "x"));
        assertThat(sender.request(n).uri().toString()).endsWith("/ntfy/?auth=dGs");
        sender.send(n);
        HttpStandIn.Request r = standIn.next(Duration.ofSeconds(5));
        assertThat(r.path()).isEqualTo("/ntfy/");
        assertThat(JSON.readTree(r.body()).get("topic").asText()).isEqualTo("phone-alerts");
        assertThat(JSON.readTree(r.body()).get("priority").asInt()).isEqualTo(4);
    }

    @Test
    void anNtfyUrlWithoutATopicIsRefusedAtStart() {
        assertThatThrownBy(() -> new HttpSender(channel(Type.NTFY, standIn.url("/")), HTTP))
                .hasMessageContaining("ends with the topic");
    }

    @Test
    void slackEscapesAlertDataButKeepsTheTemplatesOwnLinks() throws Exception {
        AlertingProperties.Channel c = channel(Type.SLACK, standIn.url("/services/T/B/X"));
        c.setBodyTemplate("<https://runbooks.example/{{alertname}}|Runbook> <!here> {{#alerts}}{{summary}}{{/alerts}}");
        new HttpSender(c, HTTP).send(render(c, alert("DiskFull", "critical", HOSTILE)));

        String text = JSON.readTree(standIn.next(Duration.ofSeconds(5)).body()).get("text").asText();
        assertThat(text).startsWith("*[FIRING:1] DiskFull (critical)*\n")
                .contains("<https://runbooks.example/DiskFull|Runbook> <!here> ")
                .contains("&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; @\u200Bhere"
                        + " @\u200Beveryone &lt;@&amp;456&gt;");
        String data = text.substring(text.indexOf("<!here> ") + "<!here> ".length());
        assertThat(data).doesNotContain("<").doesNotContain(">").doesNotContain("@here").doesNotContain("@everyone");
    }

    @Test
    void slackDefaultTemplatesEscapeLabelsAndAnnotations() throws Exception {
        AlertingProperties.Channel c = channel(Type.SLACK, standIn.url("/services/T/B/X"));
        new HttpSender(c, HTTP).send(render(c, alert("A<!channel>", "critical", HOSTILE)));
        String text = JSON.readTree(standIn.next(Duration.ofSeconds(5)).body()).get("text").asText();
        assertThat(text).startsWith("*[FIRING:1] A&lt;!channel&gt; (critical)*\n")
                .contains("team=&lt;!channel&gt;").contains("g0.expr=up&amp;g0.tab=1")
                .doesNotContain("<!channel>").doesNotContain("<@U123>").doesNotContain("<https://evil");
    }

    @Test
    void discordBreaksMentionsFromAlertDataAndAllowsOnlyTheTemplatesOwn() throws Exception {
        AlertingProperties.Channel c = channel(Type.DISCORD, standIn.url("/api/webhooks/1/abc"));
        new HttpSender(c, HTTP).send(render(c, alert("DiskFull", "critical", HOSTILE)));
        JsonNode body = JSON.readTree(standIn.next(Duration.ofSeconds(5)).body());
        String content = body.get("content").asText();
        assertThat(content).contains("@\u200Beveryone").contains("@\u200Bhere").contains("<\u200B@U123>")
                .contains("<\u200B@&456>").contains("<\u200B@!789>")
                .doesNotContain("@everyone").doesNotContain("@here").doesNotContain("<@");
        assertThat(body.get("allowed_mentions").toString()).isEqualTo("{\"parse\":[]}");

        // a mention the operator wrote into the template still pings; the alert's do not
        c.setBodyTemplate("<@&999> @here {{#alerts}}{{summary}}{{/alerts}}");
        new HttpSender(c, HTTP).send(render(c, alert("DiskFull", "critical", HOSTILE)));
        JsonNode withOwn = JSON.readTree(standIn.next(Duration.ofSeconds(5)).body());
        assertThat(withOwn.get("content").asText()).startsWith("**[FIRING:1] DiskFull (critical)**\n<@&999> @here ");
        assertThat(withOwn.get("allowed_mentions").toString())
                .isEqualTo("{\"parse\":[\"everyone\"],\"roles\":[\"999\"]}");
    }

    @Test
    void discordCutsAtTwoThousandCharactersWithoutSplittingAnEmoji() throws Exception {
        AlertingProperties.Channel c = channel(Type.DISCORD, standIn.url("/api/webhooks/1/abc"));
        c.setBodyTemplate("{{#alerts}}{{summary}}{{/alerts}}");
        String header = "**[FIRING:1] Big (critical)**\n";
        String summary = "x".repeat(1998 - header.length()) + "😀".repeat(100); // a pair at 1998/1999, across the cut
        new HttpSender(c, HTTP).send(render(c, alert("Big", "critical", summary)));
        HttpStandIn.Request r = standIn.next(Duration.ofSeconds(5));
        String content = JSON.readTree(r.body()).get("content").asText();
        assertThat(content).hasSize(1999).endsWith("x…");
        assertThat(r.body()).doesNotContain("\\ud"); // no lone surrogate escaped into the JSON
    }

    @Test
    void customHeadersAreOneLineAndRfc2047OutsideAscii() throws Exception {
        AlertingProperties.Channel c = channel(Type.WEBHOOK, standIn.url("/hook"));
        c.setHeaders(Map.of("X-Api-Key", "s3cret\r\nX-Evil: 1\n", "X-Team", "Équipe 🔥", "X-Long", "é".repeat(80)));
        new HttpSender(c, HTTP).send(render(c, alert("A", "info", "x")));
        HttpStandIn.Request r = standIn.next(Duration.ofSeconds(5));
        assertThat(r.header("X-Api-Key")).isEqualTo("s3cret X-Evil: 1");
        assertThat(r.header("X-Evil")).isNull();
        assertThat(r.header("X-Team")).startsWith("=?UTF-8?B?");
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(r.header("X-Team"))).isEqualTo("Équipe 🔥");
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(r.header("X-Long"))).isEqualTo("é".repeat(80));

        AlertingProperties.Channel bad = channel(Type.WEBHOOK, standIn.url("/hook"));
        bad.setHeaders(Map.of("Host", "elsewhere"));
        assertThatThrownBy(() -> new HttpSender(bad, HTTP)).hasMessageContaining("header 'Host' cannot be sent");
    }

    @ParameterizedTest
    @CsvSource({"400,true", "404,true", "413,true", "422,true", "408,false", "429,false", "500,false", "503,false"})
    void whichAnswersArePermanent(int status, boolean permanent) throws Exception {
        AlertingProperties.Channel c = channel(Type.WEBHOOK, standIn.url("/hook"));
        standIn.failNext(1, status);
        assertThatThrownBy(() -> new HttpSender(c, HTTP).send(render(c, alert("A", "info", "x"))))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isEqualTo(permanent);
                    assertThat(e.reason()).isEqualTo("http_" + status);
                    assertThat(e.getMessage()).startsWith("HTTP " + status + " from webhook: boom");
                });
    }

    @Test
    void aConnectionRefusedIsRetryable() throws Exception {
        AlertingProperties.Channel c = channel(Type.WEBHOOK, standIn.url("/hook"));
        standIn.close();
        assertThatThrownBy(() -> new HttpSender(c, HTTP).send(render(c, alert("A", "info", "x"))))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.reason()).isEqualTo("connection");
                });
    }

    @Test
    void anEmailSubjectWithEmojiArrivesIntactOnOneLine() throws Exception {
        GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        try {
            AlertingProperties.Channel c = channel(Type.EMAIL, "");
            c.getEmail().setHost("127.0.0.1");
            c.getEmail().setPort(mail.getSmtp().getPort());
            c.getEmail().setFrom("odin@example.org");
            c.getEmail().getTo().add("oncall@example.org");
            c.setTitleTemplate("{{#resolved}}✅{{/resolved}}{{^resolved}}🔥{{/resolved}} {{alertname}}");
            new EmailSender(c).send(render(c, alert("磁盘满\r\nBcc: evil@example.org", "critical", "ディスク 😀")));

            MimeMessage[] received = mail.getReceivedMessages();
            assertThat(received).hasSize(1);
            assertThat(received[0].getSubject()).isEqualTo("🔥 磁盘满 Bcc: evil@example.org");
            assertThat(received[0].getHeader("Subject")[0]).startsWith("=?UTF-8?");
            assertThat(received[0].getHeader("Bcc")).isNull();
            assertThat(received[0].getAllRecipients()).hasSize(1);
            assertThat(received[0].getContent().toString()).contains("ディスク 😀");
        } finally {
            mail.stop();
        }
    }

    /**
     * An SMTP server that refuses every recipient with this reply, once: what a 550 (no such
     * mailbox) or a 451 (try later) look like to the channel.
     */
    @ParameterizedTest
    @CsvSource({"550 5.1.1 no such mailbox,true,smtp_550", "451 4.3.0 try again later,false,smtp_451"})
    void smtpRefusalsArePermanentOnlyWhen5xx(String reply, boolean permanent, String reason) throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread smtp = new Thread(() -> {
                try (java.net.Socket s = server.accept();
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                                java.nio.charset.StandardCharsets.US_ASCII));
                        var out = new java.io.PrintStream(s.getOutputStream(), true, "US-ASCII")) {
                    out.print("220 stand-in ESMTP\r\n");
                    for (String line; (line = in.readLine()) != null; ) {
                        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
                        switch (verb) {
                            case "EHLO", "HELO" -> out.print("250 stand-in\r\n");
                            case "MAIL" -> out.print("250 2.1.0 ok\r\n");
                            case "RCPT" -> out.print(reply + "\r\n");
                            case "QUIT" -> {
                                out.print("221 bye\r\n");
                                return;
                            }
                            default -> out.print("250 ok\r\n"); // RSET, NOOP
                        }
                    }
                } catch (java.io.IOException e) {
                    // the client went away
                }
            });
            smtp.setDaemon(true);
            smtp.start();
            AlertingProperties.Channel c = channel(Type.EMAIL, "");
            c.getEmail().setHost("127.0.0.1");
            c.getEmail().setPort(server.getLocalPort());
            c.getEmail().getTo().add("nobody@example.org");
            assertThatThrownBy(() -> new EmailSender(c).send(render(c, alert("A", "info", "x"))))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> {
                        assertThat(e.permanent()).isEqualTo(permanent);
                        assertThat(e.reason()).isEqualTo(reason);
                    });
            smtp.join(5000);
        }
    }

    @Test
    void textLimitsNeverSplitACharacter() {
        assertThat(ChannelText.truncate("ab😀", 3)).isEqualTo("ab…");
        assertThat(ChannelText.truncate("a😀b", 3)).isEqualTo("a…");
        assertThat(ChannelText.truncate("abc", 3)).isEqualTo("abc");
        assertThat(ChannelText.truncateUtf8("ab😀", 6)).isEqualTo("ab😀");
        assertThat(ChannelText.truncateUtf8("ab😀c", 6)).isEqualTo("ab…");
        assertThat(ChannelText.truncateUtf8("磁盘满了", 9)).isEqualTo("磁盘…");
    }
}
