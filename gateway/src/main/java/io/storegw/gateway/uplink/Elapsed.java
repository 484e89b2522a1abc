package io.storegw.gateway.uplink;

/** The uplink's waits on the wall clock (they tell their start times), which a clock set back must not stretch. */
final class Elapsed {

    private Elapsed() {
    }

    /**
     * Whether {@code millis} have passed since {@code at}; also when the clock was set back past {@code at}: how
     * long it was then cannot be told, and waiting for the clock to come round again could take days.
     */
    static boolean over(long at, long now, long millis) {
        return now - at >= millis || now < at;
    }
}
