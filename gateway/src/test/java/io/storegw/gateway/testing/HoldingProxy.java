package io.storegw.gateway.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a broker that can hold back everything the broker sends (its
 * PUBACKs above all), so a test can act while a client has messages in flight; and that can close the
 * connection when the client sends given bytes, as AWS IoT Core closes it on a publish it refuses; that can go
 * dark, as a WAN link that drops every packet without closing anything; and that can drop the broker's PUBACKs
 * alone, as a broker that takes publishes and never acknowledges them while it answers PINGREQs.
 */
public final class HoldingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int brokerPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean holding;
    private boolean dark;
    private final List<Socket> stillborn = new CopyOnWriteArrayList<>();
    private volatile byte[] cutOn;
    private volatile int cutCode = -1;
    private volatile int upBytesPerSecond;
    private volatile boolean swallowingPubacks;

    public HoldingProxy(int brokerPort) throws IOException {
        this.brokerPort = brokerPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("proxy-accept", this::accept).start();
    }

    /** {@code tcp://127.0.0.1:PORT} to connect the client to. */
    public String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** From now on, what the broker sends waits here. */
    public void hold() {
        synchronized (gate) {
            holding = true;
        }
    }

    /** Passes on what was held, and everything after it. */
    public void release() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    /** From now on the broker's PUBACKs go no further (everything else it sends passes); {@code false} lets them pass again. */
    public void swallowPubacks(boolean swallow) {
        swallowingPubacks = swallow;
    }

    /** From now on what the client sends passes at most {@code bytesPerSecond}, as over a slow uplink (0: unlimited). */
    public void throttle(int bytesPerSecond) {
        upBytesPerSecond = bytesPerSecond;
    }

    /**
     * From now on nothing passes either way and no new connection reaches the broker, and nothing is closed: as a link
     * whose packets vanish. A connection made meanwhile never gets further than this relay.
     */
    public void darken() {
        synchronized (gate) {
            dark = true;
        }
    }

    /**
     * The link is back: connections that outlived the darkness go on; those made in it are closed, as their
     * handshakes were lost and never made a connection.
     */
    public void lighten() {
        synchronized (gate) {
            dark = false;
            gate.notifyAll();
        }
        for (Socket s : stillborn) {
            closeQuietly(s);
        }
        stillborn.clear();
    }

    /** How many connections were made while the link was dark and are not yet closed by {@link #lighten()}: the client's attempts in the dark. */
    public int connectionsInTheDark() {
        return stillborn.size();
    }

    /** From now on, a connection whose client sends {@code marker} is closed before those bytes reach the broker. */
    public void cutOn(String marker) {
        cutOn(marker, -1);
    }

    /** Like {@link #cutOn(String)}, telling the client first in an MQTT 5 DISCONNECT with {@code reasonCode} (none if negative). */
    public void cutOn(String marker, int reasonCode) {
        cutCode = reasonCode;
        cutOn = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                synchronized (gate) {
                    if (dark) {
                        stillborn.add(client);
                        continue;
                    }
                }
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                daemon("proxy-up", () -> relay(client, broker, () -> passUp(client, broker))).start();
                daemon("proxy-down", () -> relay(broker, client, () -> passDown(broker, client))).start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket from, Socket to, Runnable pass) {
        pass.run();
        try {
            awaitPassing(false); // while the link is dark, a close goes no further than the rest
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    /** What the client sends, cut or throttled as asked. */
    private void passUp(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] seen = new byte[0]; // the end of what came before, for a marker split across reads
            for (int n; (n = in.read(buffer)) >= 0; ) {
                awaitPassing(false);
                byte[] marker = cutOn;
                if (marker != null) {
                    byte[] window = new byte[seen.length + n];
                    System.arraycopy(seen, 0, window, 0, seen.length);
                    System.arraycopy(buffer, 0, window, seen.length, n);
                    if (indexOf(window, marker) >= 0) {
                        if (cutCode >= 0) {
                            synchronized (from) { // between the broker's packets, which the other relay writes under this lock
                                from.getOutputStream().write(new byte[] {(byte) 0xE0, 2, (byte) cutCode, 0}); // DISCONNECT, no properties
                                from.getOutputStream().flush();
                            }
                        }
                        return; // relay closes both
                    }
                    seen = java.util.Arrays.copyOfRange(window, Math.max(0, window.length - marker.length + 1), window.length);
                }
                writeThrottled(out, buffer, n);
            }
        } catch (IOException | InterruptedException e) {
            // One side went: relay closes both, which tells the other.
        }
    }

    /** What the broker sends, held or not, one MQTT packet at a time, so that PUBACKs can be told from the rest. */
    private void passDown(Socket from, Socket to) {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(from.getInputStream()));
            OutputStream out = to.getOutputStream();
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            for (int first; (first = in.read()) >= 0; ) {
                packet.reset();
                packet.write(first);
                int length = 0;
                for (int shift = 0, b = 0x80; (b & 0x80) != 0; shift += 7) { // Remaining Length, a variable byte integer
                    b = in.readUnsignedByte();
                    packet.write(b);
                    length |= (b & 0x7F) << shift;
                }
                byte[] body = new byte[length];
                in.readFully(body);
                packet.write(body);
                awaitPassing(true);
                if (swallowingPubacks && (first >> 4) == 4) {
                    continue;
                }
                synchronized (to) {
                    packet.writeTo(out);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // One side went: relay closes both, which tells the other.
        }
    }

    private void writeThrottled(OutputStream out, byte[] buffer, int n) throws IOException, InterruptedException {
        for (int off = 0; off < n; ) {
            int rate = upBytesPerSecond;
            int len = rate <= 0 ? n - off : Math.min(n - off, Math.max(1, rate / 20));
            out.write(buffer, off, len);
            out.flush();
            off += len;
            if (rate > 0) {
                Thread.sleep(50);
            }
        }
    }

    private static int indexOf(byte[] data, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= data.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (data[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void awaitPassing(boolean holdable) throws InterruptedException {
        synchronized (gate) {
            while ((dark || holdable && holding) && !server.isClosed()) {
                gate.wait(100);
            }
        }
    }

    @Override
    public void close() {
        release();
        lighten();
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }
}
