package dev.odin.config;

import dev.odin.auth.BearerAuthFilter;
import dev.odin.auth.GrpcBearerInterceptor;
import dev.odin.auth.TokenAuthenticator;
import dev.odin.otlp.ExportResponses;
import dev.odin.otlp.Signal;
import dev.odin.otlp.Transport;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.camel.Processor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Who may send ODIN data, and over what: the bearer-token check in front of both OTLP receivers,
 * the tokens-file reload the auth-tokens route runs, the gRPC listener's TLS context (the HTTP
 * listeners get theirs from {@link TlsEnvironment}); {@link ExposureCheck} refuses to start with
 * receivers open to a network without credentials.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    /** Filter order: authentication before the admission check and the body guard read anything. */
    public static final int AUTH_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE;

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

    @Bean
    public FilterRegistrationBean<BearerAuthFilter> otlpHttpAuth(ObjectProvider<TokenAuthenticator> authenticator,
            ExportResponses responses) {
        FilterRegistrationBean<BearerAuthFilter> reg = new FilterRegistrationBean<>(
                new BearerAuthFilter(authenticator.getIfAvailable(), responses));
        reg.addUrlPatterns("/v1/*");
        reg.setOrder(AUTH_FILTER_ORDER);
        return reg;
    }

    /** The interceptor the gRPC receiver runs first; absent without a tokens file. */
    @Bean
    public GrpcBearerInterceptor grpcBearerInterceptor(ObjectProvider<TokenAuthenticator> authenticator,
            ExportResponses responses) {
        TokenAuthenticator a = authenticator.getIfAvailable();
        return a == null ? null : new GrpcBearerInterceptor(a, method -> responses.failure(signalOf(method),
                Transport.GRPC, "unauthenticated"));
    }

    private static Signal signalOf(String fullMethodName) {
        return fullMethodName.contains(".logs.") ? Signal.LOGS : fullMethodName.contains(".trace.") ? Signal.TRACES
                : Signal.METRICS;
    }

    /** Route step (auth-tokens): applies a changed tokens file. */
    @Bean
    public Processor reloadTokens(ObjectProvider<TokenAuthenticator> authenticator) {
        return exchange -> authenticator.ifAvailable(TokenAuthenticator::reload);
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
