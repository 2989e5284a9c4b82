package dev.odin.signal;

/** How an OTLP request arrived. */
public enum Transport {
    GRPC("grpc"),
    HTTP("http");

    private final String tag;

    Transport(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
