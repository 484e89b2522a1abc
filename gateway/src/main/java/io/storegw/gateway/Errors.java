package io.storegw.gateway;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

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
        if (e instanceof FileSystemException f && f.getReason() == null && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + kind(f); // NIO's message is the path alone
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String kind(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "exists already (a file where a directory should be?)";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        return e.getClass().getSimpleName();
    }
}
