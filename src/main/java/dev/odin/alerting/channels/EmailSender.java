package dev.odin.alerting.channels;

import dev.odin.config.AlertingProperties.Channel;
import dev.odin.config.AlertingProperties.Email;
import java.util.Properties;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** E-mail over SMTP (Jakarta Mail through Spring's JavaMailSender): the title as subject. */
final class EmailSender implements ChannelSender {

    private final JavaMailSenderImpl mail = new JavaMailSenderImpl();
    private final Email email;

    EmailSender(Channel channel) {
        this.email = channel.getEmail();
        if (email.getHost().isBlank() || email.getTo().isEmpty()) {
            throw new IllegalArgumentException("e-mail channel " + channel.getName() + " needs email.host and email.to");
        }
        mail.setHost(email.getHost());
        mail.setPort(email.getPort());
        if (!email.getUsername().isBlank()) {
            mail.setUsername(email.getUsername());
            mail.setPassword(email.getPassword());
        }
        Properties p = mail.getJavaMailProperties();
        long timeout = channel.getTimeout().toMillis();
        p.put("mail.smtp.connectiontimeout", Long.toString(timeout));
        p.put("mail.smtp.timeout", Long.toString(timeout));
        p.put("mail.smtp.writetimeout", Long.toString(timeout));
        p.put("mail.smtp.auth", Boolean.toString(!email.getUsername().isBlank()));
        p.put("mail.smtp.starttls.enable", Boolean.toString(email.isStarttls()));
        p.put("mail.smtp.starttls.required", Boolean.toString(email.isStarttls()));
        p.put("mail.smtp.ssl.enable", Boolean.toString(email.isSsl()));
    }

    @Override
    public void send(Notification n) {
        SimpleMailMessage m = new SimpleMailMessage();
        m.setFrom(email.getFrom());
        m.setTo(email.getTo().toArray(new String[0]));
        m.setSubject(n.title());
        m.setText(n.body());
        mail.send(m);
    }
}
