package io.storegw.gateway;

/** Says what failed in one line: libraries wrap the cause that tells the person on call what to do (a full disk, a refused connection). */
public final class Errors {

    private Errors() {
    }

    /** The failure's message, and its cause's in brackets when there is one that it does not already say. */
    public static String describe(Throwable e) {
        Throwable cause = e.getCause() != null && e.getCause() != e ? e.getCause() : null;
        String message = message(e);
        return cause == null || message.contains(message(cause)) ? message : message + " (" + message(cause) + ")";
    }

    /** Its message, or its kind when it has none (an EOFException, a SocketTimeoutException): "null" tells nobody anything. */
    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
