package dev.odin.alerting.channels;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.AlertingProperties.Channel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP channels: a generic JSON webhook, Slack-compatible incoming webhooks (Slack,
 * Mattermost, Rocket.Chat take {@code {"text": ...}}), Discord ({@code {"content": ...}}, at most
 * 2,000 characters) and ntfy (the text as the body, title, priority and tags as headers).
 * Anything but a 2xx is a failure, retried by the channel's queue.
 */
final class HttpSender implements ChannelSender {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DISCORD_LIMIT = 2000;

    private final Channel channel;
    private final HttpClient http;

    HttpSender(Channel channel, HttpClient http) {
        if (channel.getUrl() == null || channel.getUrl().isBlank()) {
            throw new IllegalArgumentException("channel " + channel.getName() + " (" + channel.getType()
                    + ") needs a url");
        }
        this.channel = channel;
        this.http = http;
    }

    @Override
    public void send(Notification n) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(channel.getUrl())).timeout(channel.getTimeout());
        byte[] body;
        switch (channel.getType()) {
            case SLACK:
                body = JSON.writeValueAsBytes(Map.of("text", "*" + n.title() + "*\n" + n.body()));
                req.header("Content-Type", "application/json");
                break;
            case DISCORD:
                String content = "**" + n.title() + "**\n" + n.body();
                if (content.length() > DISCORD_LIMIT) {
                    content = content.substring(0, DISCORD_LIMIT - 1) + "…";
                }
                body = JSON.writeValueAsBytes(Map.of("content", content));
                req.header("Content-Type", "application/json");
                break;
            case NTFY:
                body = n.body().getBytes(StandardCharsets.UTF_8);
                req.header("Content-Type", "text/plain; charset=utf-8");
                req.header("Title", n.title());
                req.header("Priority", ntfyPriority(n));
                req.header("Tags", "resolved".equals(n.status()) ? "white_check_mark"
                        : "critical".equals(n.severity()) ? "rotating_light" : "warning");
                break;
            default:
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("version", "odin/1");
                json.put("title", n.title());
                json.put("text", n.body());
                json.put("status", n.status());
                json.put("severity", n.severity());
                json.put("escalation", n.escalation());
                json.put("receiver", n.receiver());
                json.put("externalURL", n.externalURL());
                json.put("alerts", n.alerts());
                body = JSON.writeValueAsBytes(json);
                req.header("Content-Type", "application/json");
        }
        channel.getHeaders().forEach(req::header);
        HttpResponse<String> res = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            String text = res.body() == null ? "" : res.body();
            throw new IOException("HTTP " + res.statusCode() + " from " + channel.getName()
                    + (text.isBlank() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) : text)));
        }
    }

    /** ntfy's priorities: 5 urgent, 4 high, 3 default. */
    private static String ntfyPriority(Notification n) {
        if ("resolved".equals(n.status())) {
            return "3";
        }
        return "critical".equals(n.severity()) ? "5" : "warning".equals(n.severity()) ? "4" : "3";
    }
}
