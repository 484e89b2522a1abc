package io.storegw.gateway;

/** Says what failed in one line: libraries wrap the cause that tells the person on call what to do (a full disk, a refused connection). */
public final class Errors {

    private Errors() {
    }

    /** The failure's message, and its cause's in brackets when there is one. */
    public static String describe(Throwable e) {
        Throwable cause = e.getCause() != null && e.getCause() != e ? e.getCause() : null;
        return e.getMessage() + (cause == null ? "" : " (" + cause.getMessage() + ")");
    }
}
