package dev.odin.alerting;

import dev.odin.alerting.AlertingProperties.Channel;
import dev.odin.alerting.AlertingProperties.Email;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * E-mail over SMTP (Jakarta Mail through Spring's JavaMailSender): the title as subject, one
 * line, RFC 2047-encoded in UTF-8 when it is not ASCII (so emoji and CJK arrive intact); the
 * text as a UTF-8 text/plain body. An SMTP 5xx for the message or its recipients is permanent
 * (dead-lettered), a 4xx or a connection problem is retried.
 */
final class EmailSender implements ChannelSender {

    private final JavaMailSenderImpl mail = new JavaMailSenderImpl();
    private final Email email;
    private final String name;

    EmailSender(Channel channel) {
        this.email = channel.getEmail();
        this.name = channel.getName();
        if (email.getHost().isBlank() || email.getTo().isEmpty()) {
            throw new IllegalArgumentException("e-mail channel " + channel.getName() + " needs email.host and email.to");
        }
        mail.setHost(email.getHost());
        mail.setPort(email.getPort());
        mail.setDefaultEncoding(StandardCharsets.UTF_8.name());
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
    public void send(Notification n) throws DeliveryException {
        MimeMessage m;
        try {
            m = message(n);
        } catch (MessagingException | RuntimeException e) {
            throw DeliveryException.permanent("invalid", "the mail for " + name + " could not be built: " + e, e);
        }
        try {
            mail.send(m);
        } catch (MailParseException | MailPreparationException e) {
            throw DeliveryException.permanent("invalid", "the mail for " + name + " could not be built: " + e, e);
        } catch (MailAuthenticationException e) {
            throw DeliveryException.retryable("smtp_auth", name + ": " + e.getMessage(), null, e);
        } catch (MailException e) {
            int code = smtpCode(e);
            if (code >= 500 && code < 600) {
                throw DeliveryException.permanent("smtp_" + code, name + ": SMTP " + code + ": " + e.getMessage(), e);
            }
            throw DeliveryException.retryable(code > 0 ? "smtp_" + code : "smtp", name + ": " + e.getMessage(), null, e);
        }
    }

    MimeMessage message(Notification n) throws MessagingException {
        MimeMessage m = mail.createMimeMessage();
        MimeMessageHelper h = new MimeMessageHelper(m, StandardCharsets.UTF_8.name());
        h.setFrom(email.getFrom());
        h.setTo(email.getTo().toArray(new String[0]));
        h.setSubject(ChannelText.oneLine(n.title() == null ? "" : n.title())); // RFC 2047 in UTF-8 when needed
        h.setText(n.body() == null ? "" : n.body());
        return m;
    }

    /** The SMTP reply code the server refused the message or a recipient with, or 0. */
    private static int smtpCode(MailException e) {
        if (e instanceof MailSendException send) {
            for (Exception failed : send.getFailedMessages().values()) {
                int code = smtpCode((Throwable) failed);
                if (code > 0) {
                    return code;
                }
            }
        }
        return smtpCode((Throwable) e);
    }

    private static int smtpCode(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++) {
            if (t instanceof SMTPSendFailedException f) {
                return f.getReturnCode();
            }
            if (t instanceof SMTPAddressFailedException f) {
                return f.getReturnCode();
            }
            if (t instanceof MessagingException me && me.getNextException() != null) {
                t = me.getNextException();
            } else {
                t = t.getCause();
            }
        }
        return 0;
    }
}
