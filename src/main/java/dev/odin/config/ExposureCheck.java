package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.receiver.otlp.AuthProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start with the OTLP receivers open to a network without credentials: on a
 * non-loopback {@code odin.bind-address} without {@code odin.auth.tokens-file}, unless
 * {@code odin.auth.allow-unauthenticated} says so. Checked while the configuration is read, before
 * any bean or listener exists, so the refusal is the one line the failure analyzer prints.
 */
public final class ExposureCheck implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        AuthProperties auth = binder.bind("odin.auth", AuthProperties.class).orElse(null);
        String bindAddress = binder.bind("odin.bind-address", String.class)
                .orElseGet(() -> new OdinProperties().getBindAddress());
        if (auth != null && (auth.enabled() || auth.allowUnauthenticated())) {
            return;
        }
        if (!loopback(bindAddress)) {
            throw new RefusedStartException("the OTLP receivers would take data from anyone on " + bindAddress
                    + ": set odin.auth.tokens-file (ODIN_AUTH_TOKENSFILE), or odin.auth.allow-unauthenticated=true"
                    + " (ODIN_AUTH_ALLOWUNAUTHENTICATED) to accept that");
        }
    }

    private static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new RefusedStartException("odin.bind-address " + address + " is not an address of this machine");
        }
    }
}
