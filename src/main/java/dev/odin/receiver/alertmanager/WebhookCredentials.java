package dev.odin.receiver.alertmanager;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Alertmanager's credentials for the webhook: basic auth or a bearer token (either or both),
 * compared in constant time with the Authorization header as sent.
 */
public final class WebhookCredentials {

    private final byte[] expectedBasic;
    private final byte[] expectedBearer;

    /**
     * @param basic "user:password", or null when basic auth is not configured
     * @param bearer the token, or null
     */
    public WebhookCredentials(String basic, String bearer) {
        this.expectedBasic = basic == null ? null
                : ("Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
        this.expectedBearer = bearer == null ? null : ("Bearer " + bearer).getBytes(StandardCharsets.UTF_8);
    }

    /** False when the webhook is open (no credentials configured). */
    public boolean required() {
        return expectedBasic != null || expectedBearer != null;
    }

    /** The challenge a refused caller gets in WWW-Authenticate. */
    public String challenge() {
        return expectedBasic != null ? "Basic realm=\"odin\"" : "Bearer realm=\"odin\"";
    }

    public boolean matches(String authorization) {
        if (authorization == null || !required()) {
            return false;
        }
        byte[] got = authorization.trim().getBytes(StandardCharsets.UTF_8);
        boolean basic = expectedBasic != null && MessageDigest.isEqual(got, expectedBasic);
        boolean bearer = expectedBearer != null && MessageDigest.isEqual(got, expectedBearer);
        return basic | bearer;
    }
}
