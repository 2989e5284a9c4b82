package dev.odin.receiver.alertmanager;

/** A webhook request ODIN refuses, with the HTTP status and a message for Alertmanager's log. */
public final class WebhookException extends RuntimeException {

    private final int status;

    public WebhookException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
