package dev.odin.series;

/** What became of one data point offered to a series. */
public enum UpdateResult {
    APPLIED,
    /** Older than what the series already holds (cumulative inputs only). */
    OUT_OF_ORDER,
    /** The merged series already tracks as many sources as it may. */
    SOURCE_LIMIT,
    /** Adding the point would push a count past 2^63 - 1: the series keeps what it had. */
    OVERFLOW,
    /** A delta point this series already applied (same source, start and end): acknowledged, not added. */
    DUPLICATE
}
