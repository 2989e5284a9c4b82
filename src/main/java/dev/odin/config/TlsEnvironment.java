package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns {@code odin.tls.*} into the Spring Boot settings that put the servlet listener (OTLP/HTTP)
 * and the management listener on TLS: one PEM SSL bundle and the {@code server.ssl} and
 * {@code management.server.ssl} keys. Added last, so a {@code server.ssl.*} an operator sets
 * explicitly still wins. The gRPC listener reads the same properties (SecurityConfiguration).
 */
public final class TlsEnvironment implements EnvironmentPostProcessor {

    static final String BUNDLE = "odin";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        TlsProperties tls = Binder.get(environment).bind("odin.tls", TlsProperties.class).orElse(null);
        if (tls == null || !tls.enabled()) {
            return;
        }
        require(tls.certFile(), "odin.tls.cert-file");
        require(tls.keyFile(), "odin.tls.key-file");
        String prefix = "spring.ssl.bundle.pem." + BUNDLE + ".";
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(prefix + "keystore.certificate", location(tls.certFile()));
        p.put(prefix + "keystore.private-key", location(tls.keyFile()));
        if (tls.mutual()) {
            require(tls.clientCaFile(), "odin.tls.client-ca-file");
            p.put(prefix + "truststore.certificate", location(tls.clientCaFile()));
        }
        p.put("server.ssl.enabled", "true");
        p.put("server.ssl.bundle", BUNDLE);
        p.put("server.ssl.client-auth", tls.mutual() ? "need" : "none");
        if (tls.management()) {
            p.put("management.server.ssl.enabled", "true");
            p.put("management.server.ssl.bundle", BUNDLE);
            p.put("management.server.ssl.client-auth", "none");
        }
        environment.getPropertySources().addLast(new MapPropertySource("odinTls", p));
    }

    private static String location(String file) {
        return "file:" + Path.of(file).toAbsolutePath();
    }

    private static void require(String file, String key) {
        if (file.isBlank()) {
            throw new RefusedStartException(key + " must be set when odin.tls.cert-file is");
        }
        if (!Files.isReadable(Path.of(file))) {
            throw new RefusedStartException(key + " " + file + " cannot be read");
        }
    }
}
