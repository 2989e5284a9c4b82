package dev.odin.alerting;

/**
 * Delivers one notification to one channel; throws when the channel did not take it, a
 * {@link DeliveryException} saying whether trying again can help (anything else is retried).
 */
interface ChannelSender {
    void send(Notification n) throws Exception;
}
