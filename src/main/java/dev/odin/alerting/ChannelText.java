package dev.odin.alerting;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import dev.odin.alerting.AlertingProperties.Channel.Type;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text from alert data made safe for each service: the Mustache escaper of a channel (applied to
 * every {@code {{value}}} of a template, never to the template's own text, so markup an operator
 * writes in a template still works), header values, and length limits that never split a
 * character.
 */
final class ChannelText {

    /** U+200B: breaks a mention for the service's parser, invisible to people. */
    static final String ZWSP = "\u200B";

    private static final Pattern SLACK_BROADCAST = Pattern.compile("(?i)@(channel|here|everyone|all)\\b");
    private static final Pattern DISCORD_BROADCAST = Pattern.compile("(?i)@(everyone|here)");
    private static final Pattern DISCORD_USER = Pattern.compile("<@!?(\\d{1,20})>");
    private static final Pattern DISCORD_ROLE = Pattern.compile("<@&(\\d{1,20})>");

    private ChannelText() {
    }

    /**
     * Slack's control characters in text built from alert data become the entities Slack
     * documents ({@code & < >} as {@code &amp; &lt; &gt;}), so {@code <!channel>},
     * {@code <@U123>} and {@code <https://evil|click>} show as text; plain {@code @channel},
     * {@code @here}, {@code @everyone} and {@code @all} (which Mattermost and Rocket.Chat, also
     * spoken to as SLACK, turn into mentions) get a zero-width space after the {@code @}.
     */
    static String slack(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                default -> b.append(c);
            }
        }
        return SLACK_BROADCAST.matcher(b).replaceAll("@" + ZWSP + "$1");
    }

    /**
     * Discord mentions in text built from alert data are broken with a zero-width space:
     * {@code @everyone}, {@code @here}, {@code <@id>}, {@code <@!id>}, {@code <@&role>}. (The
     * message's {@code allowed_mentions} then lets only the template's own mentions ping.)
     */
    static String discord(String s) {
        String t = DISCORD_BROADCAST.matcher(s).replaceAll("@" + ZWSP + "$1");
        return t.replace("<@", "<" + ZWSP + "@");
    }

    /** The escaper of a channel's templates: what {@code {{value}}} becomes. */
    static Mustache.Escaper escaper(Type type) {
        return switch (type) {
            case SLACK -> ChannelText::slack;
            case DISCORD -> ChannelText::discord;
            default -> Escapers.NONE; // JSON bodies (webhook, ntfy) and mail text need none
        };
    }

    /**
     * Discord's {@code allowed_mentions} for a message: nothing parsed from the text except the
     * user and role mentions, and {@code @everyone}/{@code @here}, left in it, which can only be
     * the template's own (alert data had theirs broken by {@link #discord}).
     */
    static Map<String, Object> discordAllowedMentions(String content) {
        Map<String, Object> allowed = new LinkedHashMap<>();
        allowed.put("parse", DISCORD_BROADCAST.matcher(content).find() ? List.of("everyone") : List.of());
        Set<String> users = ids(DISCORD_USER.matcher(content));
        Set<String> roles = ids(DISCORD_ROLE.matcher(content));
        if (!users.isEmpty()) {
            allowed.put("users", new ArrayList<>(users));
        }
        if (!roles.isEmpty()) {
            allowed.put("roles", new ArrayList<>(roles));
        }
        return allowed;
    }

    private static Set<String> ids(Matcher m) {
        Set<String> out = new LinkedHashSet<>();
        while (m.find() && out.size() < 100) { // Discord takes at most 100 of each
            out.add(m.group(1));
        }
        return out;
    }

    /** Line breaks and other control characters as single spaces: one line, for a header or a subject. */
    static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    }

    /**
     * An HTTP header value any client and server takes: one line, and outside printable ASCII
     * encoded as RFC 2047 ({@code =?UTF-8?B?...?=}).
     */
    static String headerValue(String s) {
        String line = oneLine(s);
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) > 0x7e) {
                try {
                    // long values come as several encoded-words folded with CRLF SP: unfold
                    return MimeUtility.encodeText(line, "UTF-8", "B").replaceAll("\\r\\n[ \\t]", " ");
                } catch (UnsupportedEncodingException e) {
                    throw new IllegalStateException(e); // UTF-8 is always there
                }
            }
        }
        return line;
    }

    /** At most {@code max} UTF-16 units (so within a limit counted in characters or code points), … at the cut. */
    static String truncate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // keep the pair whole
        }
        return s.substring(0, end) + "…";
    }

    /** At most {@code maxBytes} bytes of UTF-8, cut between characters, … at the cut. */
    static String truncateUtf8(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        int budget = maxBytes - 3; // the … is three bytes
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > budget) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i) + "…";
    }
}
