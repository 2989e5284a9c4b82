package dev.odin.signal;

/** The three OTLP signals; {@link #itemName()} is what one unit of each is called. */
public enum Signal {
    METRICS("metrics", "data points"),
    LOGS("logs", "log records"),
    TRACES("traces", "spans");

    private final String tag;
    private final String items;

    Signal(String tag, String items) {
        this.tag = tag;
        this.items = items;
    }

    public String tag() {
        return tag;
    }

    public String itemName() {
        return items;
    }
}
