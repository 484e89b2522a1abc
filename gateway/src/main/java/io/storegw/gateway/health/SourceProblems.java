package io.storegw.gateway.health;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.tinylog.Logger;

/**
 * Puts each source's problem in the journal when it appears, changes or clears. Sources only answer when asked
 * ({@code /healthz}, {@code storegw status}), so the journal never said that the store's broker went away or a counter
 * stopped answering, nor when. One thread looks (the gateway's status sampler).
 */
public final class SourceProblems {

    private final Map<String, String> told = new HashMap<>();

    /** The source's problem now: null when it has none. */
    public void look(String source, String problem) {
        String before = told.put(source, problem);
        if (Objects.equals(before, problem)) {
            return;
        }
        if (problem != null) {
            Logger.warn("Source {}: {}", source, problem);
        } else if (before != null) {
            Logger.info("Source {} is well again (it was: {})", source, before);
        }
    }
}
