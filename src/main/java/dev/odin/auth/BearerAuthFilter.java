package dev.odin.auth;

import dev.odin.otlp.ExportResponses;
import dev.odin.otlp.OtlpHttpErrors;
import dev.odin.otlp.Transport;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first thing an OTLP/HTTP request meets: without a valid bearer token it is answered 401
 * before its body is read. A valid token's tenant travels on as the {@value #TENANT_HEADER}
 * header; the client's own Authorization header and any {@value #TENANT_HEADER} it sent itself
 * are hidden from everything after this filter. Without a tokens file (authenticator null) the
 * filter only does the hiding.
 */
public final class BearerAuthFilter extends OncePerRequestFilter {

    /** The authenticated tenant as the routes see it; empty for a token without one. */
    public static final String TENANT_HEADER = "Odin-Tenant";

    private final TokenAuthenticator authenticator;
    private final ExportResponses responses;

    public BearerAuthFilter(TokenAuthenticator authenticator, ExportResponses responses) {
        this.authenticator = authenticator;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String tenant = "";
        if (authenticator != null) {
            TokenAuthenticator.Outcome o = authenticator.check(request.getHeader("Authorization"), "http");
            if (!o.allowed()) {
                responses.failure(OtlpHttpErrors.signalOf(request), Transport.HTTP, "unauthenticated");
                response.setHeader("WWW-Authenticate", "Bearer realm=\"odin\"");
                // the body is not read: tell the client the connection is done
                response.setHeader("Connection", "close");
                OtlpHttpErrors.write(request, response, 401, io.grpc.Status.Code.UNAUTHENTICATED, o.message());
                return;
            }
            tenant = o.principal().tenant();
        }
        chain.doFilter(new Authenticated(request, tenant), response);
    }

    /** The request as the rest of ODIN sees it: no credentials, the tenant ODIN vouches for. */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final String tenant;

        Authenticated(HttpServletRequest request, String tenant) {
            super(request);
            this.tenant = tenant;
        }

        private static boolean hidden(String name) {
            return "Authorization".equalsIgnoreCase(name) || TENANT_HEADER.equalsIgnoreCase(name);
        }

        @Override
        public String getHeader(String name) {
            if (TENANT_HEADER.equalsIgnoreCase(name)) {
                return tenant;
            }
            return hidden(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (TENANT_HEADER.equalsIgnoreCase(name)) {
                return Collections.enumeration(List.of(tenant));
            }
            return hidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String n = e.nextElement();
                if (!hidden(n)) {
                    names.add(n);
                }
            }
            names.add(TENANT_HEADER);
            return Collections.enumeration(names);
        }
    }
}
