package io.storegw.gateway.core;

import java.util.List;

/** Where handlers find, at start, the state they saved with {@link Emitter#save}. */
@FunctionalInterface
public interface SavedState {

    /** Nothing saved: a first start, a benchmark, a test. */
    SavedState NONE = new SavedState() {
        @Override
        public <T> List<T> load(String prefix, Class<T> type) {
            return List.of();
        }
    };

    /** Every state saved under a key starting with {@code prefix}, read as {@code type}. */
    <T> List<T> load(String prefix, Class<T> type);
}
