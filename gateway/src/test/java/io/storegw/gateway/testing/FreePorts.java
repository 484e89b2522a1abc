package io.storegw.gateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands tests ports below the OS's ephemeral range. A port taken from the OS with port 0 and released is the OS's to
 * give again: to the next server started on port 0 (a gateway's admin server, in this JVM or a child) or to the
 * local end of an outgoing connection, before the test's own server binds it (CI met it: a till's POST reached an
 * admin server). Below the range only this class gives ports, once each per JVM, and each of the build's parallel test
 * JVMs from its own slice ({@code storegw.test.fork}, surefire's fork number).
 */
final class FreePorts {

    private static final int BELOW = 20_000;
    /** Surefire runs test classes in parallel JVMs: each takes the slice of its fork number, so no two hand out one port. */
    private static final int SLICES = 4;
    private static final int FORK = Integer.getInteger("storegw.test.fork", 0);
    private static final int LOW = ephemeralLow();
    private static final int SLICE = (LOW - BELOW) / SLICES;
    private static final int FIRST = FORK == 0 ? BELOW : BELOW + ((FORK - 1) % SLICES) * SLICE;
    private static final int END = FORK == 0 ? LOW : FIRST + SLICE;
    private static final AtomicInteger NEXT = new AtomicInteger(FIRST + ThreadLocalRandom.current().nextInt(END - FIRST));

    private FreePorts() {
    }

    static int next() {
        for (int tries = 0; tries < END - FIRST; tries++) {
            int port = NEXT.getAndUpdate(p -> p + 1 >= END ? FIRST : p + 1);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 between " + FIRST + " and " + END);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the ephemeral range; Linux's default when it cannot be read or leaves too little below it. */
    private static int ephemeralLow() {
        try {
            int low = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
            return low >= BELOW + 4_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
