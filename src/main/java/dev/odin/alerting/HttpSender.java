package dev.odin.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.alerting.AlertingProperties.Channel;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP channels: a generic JSON webhook, Slack-compatible incoming webhooks (Slack,
 * Mattermost, Rocket.Chat take {@code {"text": ...}}), Discord ({@code {"content": ...}}, at most
 * 2,000 characters, with {@code allowed_mentions}) and ntfy (its JSON publish API: the message
 * as a JSON object POSTed to the server's root URL, so titles may hold any Unicode and line
 * breaks). Every body is JSON, so alert text never reaches a header; the configured extra
 * headers are made one line and RFC 2047-encoded outside ASCII, once, at start.
 *
 * <p>A 2xx is delivered. A 408, 429, 5xx or an I/O error (connection, timeout) is worth a retry;
 * any other answer, or a request that cannot be built, is permanent: see {@link DeliveryException}.
 */
final class HttpSender implements ChannelSender {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DISCORD_LIMIT = 2000;
    /** ntfy's default message-size-limit; a larger message would be refused or made an attachment. */
    private static final int NTFY_MESSAGE_LIMIT = 4096;

    private final Channel channel;
    private final HttpClient http;
    private final URI uri;
    private final String ntfyTopic;
    private final Map<String, String> headers = new LinkedHashMap<>();

    HttpSender(Channel channel, HttpClient http) {
        if (channel.getUrl() == null || channel.getUrl().isBlank()) {
            throw new IllegalArgumentException("channel " + channel.getName() + " (" + channel.getType()
                    + ") needs a url");
        }
        this.channel = channel;
        this.http = http;
        URI configured;
        try {
            configured = new URI(channel.getUrl().strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("channel " + channel.getName() + ": url is not a URL: " + e.getMessage());
        }
        if (configured.getScheme() == null || !configured.getScheme().matches("(?i)https?")
                || configured.getHost() == null) {
            throw new IllegalArgumentException("channel " + channel.getName() + ": url must be http(s)://host/...: "
                    + channel.getUrl());
        }
        if (channel.getType() == Channel.Type.NTFY) {
            // the configured URL is the topic URL; JSON is published to the server's root
            String path = configured.getRawPath() == null ? "" : configured.getRawPath().replaceAll("/+$", "");
            int slash = path.lastIndexOf('/');
            String topic = slash < 0 ? "" : path.substring(slash + 1);
            if (!topic.matches("[-_A-Za-z0-9]{1,64}")) {
                throw new IllegalArgumentException("channel " + channel.getName()
                        + ": an ntfy url ends with the topic (letters, digits, - and _, at most 64): "
                        + channel.getUrl());
            }
            this.ntfyTopic = topic;
            this.uri = URI.create(configured.getScheme() + "://" + configured.getRawAuthority()
                    + path.substring(0, slash + 1)
                    + (configured.getRawQuery() == null ? "" : "?" + configured.getRawQuery()));
        } else {
            this.ntfyTopic = null;
            this.uri = configured;
        }
        HttpRequest.Builder probe = HttpRequest.newBuilder(uri);
        channel.getHeaders().forEach((name, value) -> {
            String v = ChannelText.headerValue(value == null ? "" : value);
            try {
                probe.header(name, v); // refuses names the client must set itself (Host, Content-Length)
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("channel " + channel.getName() + ": header '" + name
                        + "' cannot be sent: " + e.getMessage());
            }
            headers.put(name, v);
        });
    }

    @Override
    public void send(Notification n) throws DeliveryException, InterruptedException {
        HttpRequest request;
        try {
            request = request(n);
        } catch (IOException | RuntimeException e) {
            throw DeliveryException.permanent("invalid", "the request for " + channel.getName()
                    + " could not be built: " + e, e);
        }
        HttpResponse<String> res;
        try {
            res = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw DeliveryException.retryable("timeout", channel.getName() + " did not answer within "
                    + channel.getTimeout(), null, e);
        } catch (IOException e) {
            throw DeliveryException.retryable("connection", channel.getName() + ": " + e, null, e);
        }
        int status = res.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String text = res.body() == null ? "" : ChannelText.oneLine(res.body());
        String message = "HTTP " + status + " from " + channel.getName()
                + (text.isBlank() ? "" : ": " + ChannelText.truncate(text, 200));
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw DeliveryException.permanent("http_" + status, message, null);
        }
        throw DeliveryException.retryable("http_" + status, message,
                retryAfter(res.headers().firstValue("Retry-After").orElse(null)), null);
    }

    HttpRequest request(Notification n) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(channel.getTimeout())
                .header("Content-Type", "application/json");
        byte[] body;
        switch (channel.getType()) {
            case SLACK:
                body = JSON.writeValueAsBytes(Map.of("text", "*" + n.title() + "*\n" + n.body()));
                break;
            case DISCORD: {
                String content = ChannelText.truncate("**" + n.title() + "**\n" + n.body(), DISCORD_LIMIT);
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("content", content);
                json.put("allowed_mentions", ChannelText.discordAllowedMentions(content));
                body = JSON.writeValueAsBytes(json);
                break;
            }
            case NTFY: {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("topic", ntfyTopic);
                json.put("title", n.title());
                json.put("message", ChannelText.truncateUtf8(n.body(), NTFY_MESSAGE_LIMIT));
                json.put("priority", ntfyPriority(n));
                json.put("tags", List.of("resolved".equals(n.status()) ? "white_check_mark"
                        : "critical".equals(n.severity()) ? "rotating_light" : "warning"));
                body = JSON.writeValueAsBytes(json);
                break;
            }
            default: {
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
            }
        }
        headers.forEach(req::setHeader);
        return req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** Retry-After in seconds (the HTTP-date form is left to the backoff). */
    private static Duration retryAfter(String value) {
        if (value != null && value.strip().matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value.strip()));
        }
        return null;
    }

    /** ntfy's priorities: 5 urgent, 4 high, 3 default. */
    private static int ntfyPriority(Notification n) {
        if ("resolved".equals(n.status())) {
            return 3;
        }
        return "critical".equals(n.severity()) ? 5 : "warning".equals(n.severity()) ? 4 : 3;
    }
}
