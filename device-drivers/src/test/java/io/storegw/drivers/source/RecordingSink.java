package io.storegw.drivers.source;

import io.storegw.drivers.observation.Observation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink for source tests: records what it is handed and refused, and answers with a future the test controls. */
public final class RecordingSink implements ObservationSink {

    /** Observations handed over, in order. */
    public final List<Observation> taken = new CopyOnWriteArrayList<>();
    /** Refusals, as {@code source/reason} to count. */
    public final Map<String, Integer> refused = new ConcurrentHashMap<>();
    /** What each refusal said, in order. */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    /** Source events, as {@code source/event} to count. */
    public final Map<String, Integer> counted = new ConcurrentHashMap<>();
    /** What {@link #accept} answers: durable at once unless the test says otherwise. */
    public volatile CompletableFuture<Void> durable = CompletableFuture.completedFuture(null);
    /** Thrown by {@link #accept} when set, as a bug on the way in would be. */
    public volatile RuntimeException failing;

    @Override
    public CompletionStage<Void> accept(Observation o) {
        if (failing != null) {
            throw failing;
        }
        taken.add(o);
        return durable;
    }

    @Override
    public void refused(String source, String reason, String detail) {
        refused.merge(source + "/" + reason, 1, Integer::sum);
        refusals.add(detail);
    }

    @Override
    public void counted(String source, String event) {
        this.counted.merge(source + "/" + event, 1, Integer::sum);
    }
}
