package dev.odin.privacy;

import dev.odin.signal.AttributeValues;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One signal's attribute rules: for each attribute name, drop it, replace its value with a keyed
 * hash (HMAC-SHA256, first 64 bits in hex: the same value always gives the same hash, so a
 * hashed user still has one series, but the value cannot be recovered or guessed without the
 * key), or replace its value with {@value #REDACTED}. Decisions are cached per name, so the
 * regular expressions run once per distinct attribute name, not once per attribute.
 */
public final class AttributeRules {

    public static final String REDACTED = "REDACTED";
    private static final int MAX_CACHED_NAMES = 10_000;

    /** Decision for names no rule matches; a sentinel, since ConcurrentHashMap takes no nulls. */
    private enum Keep { KEEP }

    private final Map<String, PrivacyProperties.Action> exact = new HashMap<>();
    private final List<Map.Entry<Pattern, PrivacyProperties.Action>> patterns = new ArrayList<>();
    private final ConcurrentHashMap<String, Object> decisions = new ConcurrentHashMap<>();
    /** Hashed values by value: an email is hashed once, not once per data point. Bounded. */
    private final ConcurrentHashMap<String, String> hashes = new ConcurrentHashMap<>();
    private final ThreadLocal<Mac> macs;
    private final Map<PrivacyProperties.Action, LongAdder> applied = new java.util.EnumMap<>(PrivacyProperties.Action.class);

    public AttributeRules(List<PrivacyProperties.Rule> rules, byte[] hashKey, String what) {
        for (int i = 0; i < rules.size(); i++) {
            PrivacyProperties.Rule r = rules.get(i);
            String where = what + "[" + i + "]";
            if (r.action() == null) {
                throw new IllegalArgumentException(where + ": action must be drop, hash or redact");
            }
            boolean byName = r.attribute() != null && !r.attribute().isEmpty();
            boolean byPattern = r.pattern() != null && !r.pattern().isEmpty();
            if (byName == byPattern) {
                throw new IllegalArgumentException(where + ": set exactly one of attribute and pattern");
            }
            if (byName) {
                exact.putIfAbsent(r.attribute(), r.action());
            } else {
                try {
                    patterns.add(Map.entry(Pattern.compile(r.pattern()), r.action()));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(where + ": pattern " + e.getMessage());
                }
            }
        }
        for (PrivacyProperties.Action a : PrivacyProperties.Action.values()) {
            applied.put(a, new LongAdder());
        }
        SecretKeySpec key = new SecretKeySpec(hashKey, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every JVM has HmacSHA256", e);
            }
        });
    }

    public boolean isEmpty() {
        return exact.isEmpty() && patterns.isEmpty();
    }

    /** Attributes this instance changed, by action (for odin_privacy_attributes_total). */
    public long applied(PrivacyProperties.Action action) {
        return applied.get(action).sum();
    }

    /** The action for an attribute name, or null to keep it as it is. */
    public PrivacyProperties.Action actionFor(String name) {
        Object d = decisions.get(name);
        if (d == null) {
            d = decide(name);
            if (decisions.size() < MAX_CACHED_NAMES) {
                decisions.put(name, d);
            }
        }
        return d == Keep.KEEP ? null : (PrivacyProperties.Action) d;
    }

    private Object decide(String name) {
        PrivacyProperties.Action a = exact.get(name);
        if (a != null) {
            return a;
        }
        for (Map.Entry<Pattern, PrivacyProperties.Action> p : patterns) {
            if (p.getKey().matcher(name).matches()) {
                return p.getValue();
            }
        }
        return Keep.KEEP;
    }

    /** True when at least one of the attributes is subject to a rule. */
    public boolean matchesAny(List<KeyValue> attributes) {
        for (int i = 0; i < attributes.size(); i++) {
            if (actionFor(attributes.get(i).getKey()) != null) {
                return true;
            }
        }
        return false;
    }

    /** The attributes with the rules applied; the same list when no rule matched. */
    public List<KeyValue> apply(List<KeyValue> attributes) {
        int first = 0;
        while (first < attributes.size() && actionFor(attributes.get(first).getKey()) == null) {
            first++;
        }
        if (first == attributes.size()) {
            return attributes; // nothing to change: no copy
        }
        List<KeyValue> out = new ArrayList<>(attributes.size());
        out.addAll(attributes.subList(0, first));
        for (int i = first; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            PrivacyProperties.Action a = actionFor(kv.getKey());
            if (a == null) {
                out.add(kv);
                continue;
            }
            applied.get(a).increment();
            if (a != PrivacyProperties.Action.DROP) {
                out.add(KeyValue.newBuilder().setKey(kv.getKey())
                        .setValue(AnyValue.newBuilder().setStringValue(replacement(a, kv.getValue()))).build());
            }
        }
        return out;
    }

    /**
     * Counts one attribute a rule applied to (odin_privacy_attributes_total), for a caller that
     * applies the rules itself as it reads the attributes (the metrics translator) instead of
     * through {@link #apply}.
     */
    public void count(PrivacyProperties.Action action) {
        applied.get(action).increment();
    }

    /**
     * The value an attribute takes under {@code action} (hash or redact; not drop): the same
     * string {@link #apply} writes into the attribute. Not counted: see {@link #count}.
     */
    public String replacement(PrivacyProperties.Action action, AnyValue value) {
        return action == PrivacyProperties.Action.HASH ? hash(AttributeValues.format(value)) : REDACTED;
    }

    /** The keyed hash of a value: 16 hex digits. */
    public String hash(String value) {
        String h = hashes.get(value);
        if (h == null) {
            byte[] mac = macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
            h = HexFormat.of().formatHex(mac, 0, 8);
            if (hashes.size() >= MAX_CACHED_NAMES) {
                hashes.clear(); // many distinct values (not emails, then): start over rather than grow
            }
            hashes.put(value, h);
        }
        return h;
    }
}
