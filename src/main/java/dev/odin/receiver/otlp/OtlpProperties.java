package dev.odin.receiver.otlp;

import dev.odin.settings.SettingChecks;
import dev.odin.exporter.prometheus.NamingStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The OTLP receivers. The HTTP receiver listens on Spring Boot's {@code server.port}. */
public class OtlpProperties {
    private final Grpc grpc = new Grpc();

    /** Largest request body accepted on the wire (compressed or not); larger gets 413. */
    private DataSize maxRequestSize = DataSize.ofMegabytes(8);

    /** Largest body after gzip decoding; decoding stops at this size and answers 413. */
    private DataSize maxDecompressedSize = DataSize.ofMegabytes(32);

    public Grpc getGrpc() {
        return grpc;
    }

    public DataSize getMaxRequestSize() {
        return maxRequestSize;
    }

    public void setMaxRequestSize(DataSize maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    public DataSize getMaxDecompressedSize() {
        return maxDecompressedSize;
    }

    public void setMaxDecompressedSize(DataSize maxDecompressedSize) {
        this.maxDecompressedSize = maxDecompressedSize;
    }

    /** The OTLP/gRPC receiver. */
    public static class Grpc {
        /** Serve OTLP/gRPC. */
        private boolean enabled = true;

        /** The OTLP/gRPC port; 0 picks a free port (tests). */
        private int port = 4317;

        /** Largest message after decompression (grpc-java enforces it while inflating). */
        private DataSize maxMessageSize = DataSize.ofMegabytes(32);

        /**
         * Threads that handle calls. Bounded, unlike grpc-java's default cached pool, which
         * grows a thread (and its stack) per concurrent call under overload.
         */
        private int threads = 16;

        /** Calls one connection may have open at once; more wait on the client. */
        private int maxConcurrentCallsPerConnection = 100;

        public int getThreads() {
            return threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

        public int getMaxConcurrentCallsPerConnection() {
            return maxConcurrentCallsPerConnection;
        }

        public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
            this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public DataSize getMaxMessageSize() {
            return maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        void check(SettingChecks c) {
            c.min("port", port, 0).notNull("maxMessageSize", maxMessageSize).min("threads", threads, 1)
                    .min("maxConcurrentCallsPerConnection", maxConcurrentCallsPerConnection, 1);
        }
    }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        grpc.check(c.in("grpc"));
        c.notNull("maxRequestSize", maxRequestSize).notNull("maxDecompressedSize", maxDecompressedSize);
    }
}
