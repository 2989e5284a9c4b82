package dev.odin.receiver.otlp;

import dev.odin.exporter.prometheus.NamingStrategy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** The OTLP receivers. The HTTP receiver listens on Spring Boot's {@code server.port}. */
public class OtlpProperties {
    @Valid
    private final Grpc grpc = new Grpc();

    /** Largest request body accepted on the wire (compressed or not); larger gets 413. */
    @NotNull
    private DataSize maxRequestSize = DataSize.ofMegabytes(8);

    /** Largest body after gzip decoding; decoding stops at this size and answers 413. */
    @NotNull
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
        @Min(0)
        private int port = 4317;

        /** Largest message after decompression (grpc-java enforces it while inflating). */
        @NotNull
        private DataSize maxMessageSize = DataSize.ofMegabytes(32);

        /**
         * Threads that handle calls. Bounded, unlike grpc-java's default cached pool, which
         * grows a thread (and its stack) per concurrent call under overload.
         */
        @Min(1)
        private int threads = 16;

        /** Calls one connection may have open at once; more wait on the client. */
        @Min(1)
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
    }
}
