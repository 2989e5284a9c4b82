package dev.odin.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TLS on ODIN's listeners ({@code odin.tls.*}); docs/security.md. With a certificate, OTLP/gRPC,
 * OTLP/HTTP (and the Alertmanager webhook on the same port) and, unless turned off, the
 * management port speak TLS only.
 *
 * @param certFile the server certificate chain, PEM; empty: plaintext everywhere
 * @param keyFile its private key, PEM (PKCS#8)
 * @param clientCaFile CA certificates (PEM) that client certificates must chain to; set, the
 *        OTLP listeners require a client certificate (mutual TLS)
 * @param management serve the management port (/metrics, /health, /ready) over TLS as well; it
 *        never asks for client certificates, since kubelet probes cannot present one
 */
@ConfigurationProperties(prefix = "odin.tls")
public record TlsProperties(
        @DefaultValue("") String certFile,
        @DefaultValue("") String keyFile,
        @DefaultValue("") String clientCaFile,
        @DefaultValue("true") boolean management) {

    public boolean enabled() {
        return !certFile.isBlank();
    }

    public boolean mutual() {
        return enabled() && !clientCaFile.isBlank();
    }
}
