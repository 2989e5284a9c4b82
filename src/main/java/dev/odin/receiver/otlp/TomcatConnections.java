package dev.odin.receiver.otlp;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Lets a refusal end a connection without reading the rest of its body. After a servlet answers
 * early, Tomcat drains ("swallows") the unread body so the connection can be reused, blocking a
 * thread while it does: a client that sends slowly after its 401 or 413 would hold that thread.
 * This valve hands Tomcat's own request to the filters (as a request attribute) so that
 * {@link #closeWithoutReading} can tell Tomcat, with its DISABLE_SWALLOW_INPUT action, to send the
 * answer and close instead. There is no servlet API for this.
 */
public final class TomcatConnections extends ValveBase {

    private static final String ATTRIBUTE = TomcatConnections.class.getName() + ".request";

    public TomcatConnections() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, request);
        getNext().invoke(request, response);
    }

    /**
     * The response goes out and the connection is closed; the unread rest of the body is never
     * read. Also sets Connection: close for the client. A no-op outside Tomcat.
     */
    public static void closeWithoutReading(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
        response.setHeader("Connection", "close");
        stopReading(request);
    }

    /**
     * Tomcat's part of {@link #closeWithoutReading} alone. In asynchronous mode call it from the
     * AsyncListener's onComplete: earlier, the error state it sets makes Tomcat skip the completion
     * (listeners, request-destroyed events, its count of requests in progress, which graceful
     * shutdown waits on).
     */
    public static void stopReading(HttpServletRequest request) {
        if (request.getAttribute(ATTRIBUTE) instanceof Request tomcat) {
            tomcat.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
        }
    }
}
