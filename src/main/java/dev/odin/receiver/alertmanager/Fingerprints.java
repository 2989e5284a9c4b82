package dev.odin.receiver.alertmanager;

import java.util.Map;
import java.util.TreeMap;

/** A fingerprint for an alert that came without one (Alertmanager always sends one). */
final class Fingerprints {

    private Fingerprints() {
    }

    static String of(Map<String, String> labels) {
        // FNV-1a 64 over the sorted labels, as Alertmanager's own model.LabelSet fingerprint does
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            for (String s : new String[] {e.getKey(), "\u00ff", e.getValue(), "\u00ff"}) {
                for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    h ^= b & 0xff;
                    h *= 0x100000001b3L;
                }
            }
        }
        return String.format("%016x", h);
    }
}
