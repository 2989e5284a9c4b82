package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.receiver.otlp.AuthProperties;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.receiver.otlp.ReceiverAuthenticationFilter;
import dev.odin.receiver.alertmanager.WebhookCredentials;
import dev.odin.receiver.otlp.ReceiverRefusals;
import dev.odin.receiver.otlp.TomcatConnections;
import dev.odin.lifecycle.PeriodicTask;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import dev.odin.receiver.otlp.GrpcBearerInterceptor;
import dev.odin.receiver.otlp.TokenAuthenticator;
import dev.odin.receiver.otlp.ExportResponses;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Who may send ODIN data, and over what: the bearer-token check in front of both OTLP receivers,
 * the tokens-file reload (the auth-tokens timer), the gRPC listener's TLS context (the HTTP
 * listeners get theirs from {@link TlsEnvironment}); {@link ExposureCheck} refuses to start with
 * receivers open to a network without credentials.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    @Bean
    public TokenAuthenticator tokenAuthenticator(AuthProperties auth, MeterRegistry registry)
            throws IOException {
        if (!auth.enabled()) {
            return null; // open receivers on a network address were refused already (ExposureCheck)
        }
        Path file = Path.of(auth.tokensFile());
        if (!file.toFile().canRead()) {
            throw new RefusedStartException("odin.auth.tokens-file " + file + " cannot be read");
        }
        try {
            return new TokenAuthenticator(file, registry);
        } catch (IllegalArgumentException e) {
            throw new RefusedStartException(e.getMessage());
        }
    }

    /**
     * Every HTTP request on the OTLP/HTTP port and the management port passes this chain first.
     * The strict firewall (below) has refused ambiguous spellings of a path already; the rules
     * match paths as Spring MVC routes them, deny by default, and are the only place that says
     * which path needs which credentials:
     * <ul>
     *   <li>the management port (/metrics, /health, /ready, /usage, ...) is open;</li>
     *   <li>/v1/** (OTLP/HTTP) needs an OTLP token when odin.auth.tokens-file is set;</li>
     *   <li>/alertmanager/** needs the webhook's credentials when they are set;</li>
     *   <li>/api/statusline (plan limits) needs an OTLP token when odin.auth.tokens-file is set;</li>
     *   <li>/ (what this port is, dev.odin.home.OtlpPortAnswers) is open: it says nothing a token protects;</li>
     *   <li>anything else on the OTLP/HTTP port needs some credentials when either is set.</li>
     * </ul>
     */
    @Bean
    public SecurityFilterChain receiverSecurity(HttpSecurity http, dev.odin.receiver.otlp.OtlpGuard guard,
            WebhookCredentials webhook, ReceiverRefusals refusals) throws Exception {
        boolean otlpAuth = guard.authenticates();
        boolean webhookAuth = webhook.required();
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .securityContext(c -> c.requireExplicitSave(true))
                .anonymous(Customizer.withDefaults())
                .addFilterBefore(new ReceiverAuthenticationFilter(guard, webhook), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                .authorizeHttpRequests(a -> {
                    a.requestMatchers(SecurityConfiguration::onManagementServer).permitAll();
                    AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl otlp = a.requestMatchers(
                            paths.matcher("/v1"), paths.matcher("/v1/**"));
                    if (otlpAuth) {
                        otlp.hasAuthority(ReceiverAuthenticationFilter.OTLP);
                    } else {
                        otlp.permitAll();
                    }
                    AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl alertmanager = a.requestMatchers(
                            paths.matcher("/alertmanager"), paths.matcher("/alertmanager/**"));
                    if (webhookAuth) {
                        alertmanager.hasAuthority(ReceiverAuthenticationFilter.ALERTMANAGER);
                    } else {
                        alertmanager.permitAll();
                    }
                    // the statusline (bin/odin-statusline) is posted with the OTLP token Claude Code sends
                    AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl statusline = a.requestMatchers(
                            paths.matcher("/api/statusline"));
                    if (otlpAuth) {
                        statusline.hasAuthority(ReceiverAuthenticationFilter.OTLP);
                    } else {
                        statusline.permitAll();
                    }
                    // what this port is: the same text for everyone
                    a.requestMatchers(paths.matcher("/")).permitAll();
                    // the container's error page for requests already refused above
                    a.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
                    if (otlpAuth || webhookAuth) {
                        a.anyRequest().authenticated();
                    } else {
                        a.anyRequest().permitAll();
                    }
                });
        return http.build();
    }

    /** A request to the management server (its own port and child context). */
    static boolean onManagementServer(HttpServletRequest request) {
        WebApplicationContext context = WebApplicationContextUtils.getWebApplicationContext(
                request.getServletContext());
        return context != null && WebServerApplicationContext.hasServerNamespace(context, "management");
    }

    /**
     * Spring Security's strict firewall on every listener: path parameters (;), encoded slashes,
     * backslashes, dots and percent signs, double slashes, dot segments and control characters are
     * refused before any filter or handler sees the request, so no guard and no router can
     * disagree about which path was asked for.
     */
    @Bean
    public HttpFirewall strictFirewall() {
        return new StrictHttpFirewall();
    }

    /** Lets refusals close a connection without draining the unread body (a blocked thread). */
    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> tomcatConnections() {
        return factory -> factory.addContextValves(new TomcatConnections());
    }

    @Bean
    public ReceiverRefusals receiverRefusals(dev.odin.receiver.otlp.OtlpGuard guard,
            WebhookCredentials webhook, ExportResponses responses, WebhookMetrics webhookMetrics,
            MeterRegistry registry) {
        return new ReceiverRefusals(guard, webhook, responses, webhookMetrics, registry);
    }

    /** The interceptor the gRPC receiver runs first; absent without a tokens file. */
    @Bean
    public GrpcBearerInterceptor grpcBearerInterceptor(dev.odin.receiver.otlp.OtlpGuard guard,
            ExportResponses responses) {
        return !guard.authenticates() ? null : new GrpcBearerInterceptor(guard, method -> responses.failure(signalOf(method),
                Transport.GRPC, "unauthenticated"));
    }

    private static Signal signalOf(String fullMethodName) {
        return fullMethodName.contains(".logs.") ? Signal.LOGS : fullMethodName.contains(".trace.") ? Signal.TRACES
                : Signal.METRICS;
    }

    /** Applies a changed tokens file, checked every odin.auth.reload-interval. */
    @Bean
    public PeriodicTask tokensReload(ObjectProvider<TokenAuthenticator> authenticator, AuthProperties auth) {
        return new PeriodicTask("auth-tokens", auth.reloadInterval(),
                () -> authenticator.ifAvailable(TokenAuthenticator::reload));
    }

    /** The OTLP/gRPC listener's TLS; absent (plaintext) without odin.tls.cert-file. */
    @Bean
    public SslContext grpcTls(TlsProperties tls) throws IOException {
        if (!tls.enabled()) {
            return null;
        }
        SslContextBuilder b = GrpcSslContexts.forServer(new File(tls.certFile()), new File(tls.keyFile()));
        if (tls.mutual()) {
            b.trustManager(new File(tls.clientCaFile())).clientAuth(ClientAuth.REQUIRE);
        }
        return b.build();
    }
}
