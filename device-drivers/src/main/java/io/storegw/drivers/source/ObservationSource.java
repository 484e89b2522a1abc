package io.storegw.drivers.source;

/** A driver that produces observations until it is closed. */
public interface ObservationSource extends AutoCloseable {

    /** The name used in config, metrics and health reports. */
    String name();

    /** Starts producing into the sink; returns at once, the source runs on its own thread(s). */
    void start(ObservationSink sink);

    /** Whether the source is working; a failing source says why in {@link #problem()}. */
    default boolean healthy() {
        return problem() == null;
    }

    /** Why the source is unhealthy, or {@code null} when it is fine. */
    default String problem() {
        return null;
    }

    /** Stops producing; must not throw. */
    @Override
    void close();
}
