package io.storegw.drivers;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Says what failed in one line: libraries wrap the cause that tells the person on call what to do (a full disk, a refused connection). */
public final class Errors {

    private Errors() {
    }

    /** What a failure without a message means, by its kind; none of these kinds is another's. */
    private static final Map<Class<? extends Throwable>, String> KINDS = Map.of(
            NoSuchFileException.class, "no such file or directory",
            AccessDeniedException.class, "permission denied",
            FileAlreadyExistsException.class, "exists already (a file where a directory should be?)",
            NotDirectoryException.class, "not a directory",
            ConnectException.class, "cannot connect",
            UnresolvedAddressException.class, "unknown host name",
            ClosedChannelException.class, "connection refused or closed");

    /** How many causes deep a description goes: the JDK's HTTP client wraps the one that says why in two others. */
    private static final int DEPTH = 3;

    /**
     * The failure's message, and its causes' in brackets where they say something it does not already say
     * (the JDK's HTTP client says only "ConnectException" twice before the cause that tells refused from unknown host).
     */
    public static String describe(Throwable e) {
        List<String> said = new ArrayList<>();
        Throwable t = e;
        for (int depth = 0; t != null && depth < DEPTH; depth++) {
            String message = message(t);
            if (said.stream().noneMatch(s -> s.contains(message))) {
                said.add(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return said.size() == 1 ? said.get(0) : said.get(0) + " (" + String.join(": ", said.subList(1, said.size())) + ")";
    }

    /** Its message, or what its kind means when it has none (an EOFException, a ConnectException): "null" tells nobody anything. */
    private static String message(Throwable e) {
        if (e instanceof FileSystemException f && f.getReason() == null && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + kind(f); // NIO's message is the path alone
        }
        return e.getMessage() != null ? e.getMessage() : kind(e);
    }

    private static String kind(Throwable e) {
        return KINDS.entrySet().stream().filter(k -> k.getKey().isInstance(e)).map(Map.Entry::getValue).findFirst()
                .orElse(e.getClass().getSimpleName());
    }
}
