package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.receiver.alertmanager.WebhookCredentials;
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
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs inside Spring Security's filter chain on every request, whatever its path: it says who the
 * caller is from the Authorization header alone (the OTLP receiver's {@link OtlpGuard} for an OTLP client with a token and maybe a tenant,
 * Alertmanager, or nobody) and leaves the decision to the chain's authorization rules, which
 * match paths as the router does. Nothing here looks at a path, so no spelling of one can skip it.
 *
 * <p>Everything after this filter sees the request without the Authorization header and with
 * {@value #TENANT_HEADER} set to the tenant ODIN vouches for (empty for none), so a client's own
 * {@value #TENANT_HEADER} header never counts.
 */
public final class ReceiverAuthenticationFilter extends OncePerRequestFilter {

    /** The authenticated tenant as the routes see it; empty for a token without one. */
    public static final String TENANT_HEADER = ExportResult.TENANT_HEADER;

    /** Authority of a caller with a valid OTLP bearer token. */
    public static final String OTLP = "OTLP";

    /** Authority of a caller with Alertmanager's webhook credentials. */
    public static final String ALERTMANAGER = "ALERTMANAGER";

    /** Request attribute: the OTLP token check's outcome, for the 401's message and counting. */
    public static final String OUTCOME_ATTRIBUTE = ReceiverAuthenticationFilter.class.getName() + ".outcome";

    private static final List<GrantedAuthority> OTLP_ONLY = List.of(new SimpleGrantedAuthority(OTLP));
    private static final List<GrantedAuthority> ALERTMANAGER_ONLY = List.of(new SimpleGrantedAuthority(ALERTMANAGER));
    private static final List<GrantedAuthority> BOTH = List.of(new SimpleGrantedAuthority(OTLP),
            new SimpleGrantedAuthority(ALERTMANAGER));

    private final OtlpGuard guard;
    private final WebhookCredentials webhook;

    /**
     * @param guard the OTLP receiver's guard (who an OTLP client is)
     * @param webhook Alertmanager's credentials (possibly none)
     */
    public ReceiverAuthenticationFilter(OtlpGuard guard, WebhookCredentials webhook) {
        this.guard = guard;
        this.webhook = webhook;
    }

    /** Request attribute: who the caller was found to be, for the request's later dispatches. */
    private static final String DECIDED_ATTRIBUTE = ReceiverAuthenticationFilter.class.getName() + ".decided";

    /** The caller as found on the request's first dispatch. */
    private record Decided(UsernamePasswordAuthenticationToken authentication, String tenant) {
    }

    /**
     * Asynchronous dispatches (after the body was read without holding a thread, and after the
     * route answered) see the caller found on the first dispatch: they may be handed the request as
     * wrapped below, without its Authorization header.
     */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Decided decided = request.getAttribute(DECIDED_ATTRIBUTE) instanceof Decided d ? d : decide(request);
        if (decided.authentication() != null) {
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(decided.authentication());
            SecurityContextHolder.setContext(context);
        }
        chain.doFilter(new Vouched(request, decided.tenant()), response);
    }

    private Decided decide(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        String tenant = "";
        boolean otlp = false;
        if (guard.authenticates()) {
            TokenAuthenticator.Outcome o = guard.authenticate(authorization);
            request.setAttribute(OUTCOME_ATTRIBUTE, o);
            if (o.allowed()) {
                otlp = true;
                tenant = o.principal().tenant();
            }
        }
        boolean alertmanager = webhook.matches(authorization);
        Decided d = new Decided(otlp || alertmanager ? UsernamePasswordAuthenticationToken.authenticated(
                otlp ? "otlp:" + tenant : "alertmanager", null,
                otlp && alertmanager ? BOTH : otlp ? OTLP_ONLY : ALERTMANAGER_ONLY) : null, tenant);
        request.setAttribute(DECIDED_ATTRIBUTE, d);
        return d;
    }

    /** The request as the rest of ODIN sees it: no credentials, the tenant ODIN vouches for. */
    private static final class Vouched extends HttpServletRequestWrapper {
        private final String tenant;

        Vouched(HttpServletRequest request, String tenant) {
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
