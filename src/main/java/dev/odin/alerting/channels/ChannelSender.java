package dev.odin.alerting.channels;

/** Delivers one notification to one channel; throws when the channel did not take it. */
interface ChannelSender {
    void send(Notification n) throws Exception;
}
