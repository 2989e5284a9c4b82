package dev.odin.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects what the running application logs (through logback) while it is open: every event of
 * every logger, with its throwable, as the log file would show it.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** The thread whose events are kept, or null for every thread. */
    private final String thread;

    private LogCapture(Logger logger, String thread) {
        this.logger = logger;
        this.thread = thread;
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture root() {
        return new LogCapture((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME), null);
    }

    /**
     * Only what the calling thread logs: for a unit test that drives the code itself, while
     * applications of other test classes may still run in the same JVM and log alike.
     */
    public static LogCapture rootOnThisThread() {
        return new LogCapture((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME),
                Thread.currentThread().getName());
    }

    /** One entry per event: its formatted message, then its stack trace if it has one. */
    public List<String> lines() {
        return lines(Level.ALL);
    }

    /** The same for the events at this level or above. */
    public synchronized List<String> lines(Level atLeast) {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : new ArrayList<>(appender.list)) {
            if (!e.getLevel().isGreaterOrEqual(atLeast) || thread != null && !thread.equals(e.getThreadName())) {
                continue;
            }
            String line = e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            out.add(line);
        }
        return out;
    }

    public String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
