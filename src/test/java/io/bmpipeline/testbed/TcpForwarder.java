package io.bmpipeline.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback port that can be switched between "NetBox is there" (bytes forwarded to the real
 * server) and "NetBox is gone" (nothing listens): an outage on demand, with the real NetBox
 * behind it the rest of the time. {@link #withholdAnswerTo} makes the worst moment of an outage:
 * NetBox does a write and the service never hears that it did.
 */
public final class TcpForwarder implements AutoCloseable {

    private final int port;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    /** The request (its first bytes) whose answer the next connection sending it never gets; null when not armed. */
    private final AtomicReference<String> withhold = new AtomicReference<>();
    private final AtomicInteger withheld = new AtomicInteger();

    public TcpForwarder(InetSocketAddress target) {
        this.target = target;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    public int port() {
        return port;
    }

    public synchronized void up() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = server;
        Thread.ofVirtual().start(() -> accept(server));
    }

    /** Stops listening and cuts every open connection, as a crashed server would. */
    public synchronized void down() throws IOException {
        if (listener != null) {
            listener.close();
            listener = null;
        }
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /**
     * The next request that starts with {@code request} (an HTTP/1.1 request line's start, e.g.
     * {@code "PATCH /api/dcim/devices/"}) goes to NetBox, which does it; its answer, and anything after it on that
     * connection, is dropped. The caller then hangs until its timeout or until {@link #down()} cuts the connection:
     * a write done and never acknowledged. Once, for one request.
     */
    public void withholdAnswerTo(String request) {
        withhold.set(request);
    }

    /** How many requests' answers were withheld so far. */
    public int withheld() {
        return withheld.get();
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                AtomicBoolean answersDropped = new AtomicBoolean();
                Thread.ofVirtual().start(() -> pump(client, upstream, chunk -> watch(chunk, answersDropped)));
                Thread.ofVirtual().start(() -> pump(upstream, client, chunk -> !answersDropped.get()));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Client to NetBox: always forwarded; the request armed in {@link #withholdAnswerTo} drops what comes back. */
    private boolean watch(String chunk, AtomicBoolean answersDropped) {
        String armed = withhold.get();
        if (armed != null && chunk.startsWith(armed) && withhold.compareAndSet(armed, null)) {
            answersDropped.set(true);
            withheld.incrementAndGet();
        }
        return true;
    }

    /** Copies {@code from} to {@code to}, each chunk that {@code forward} lets through (the others are dropped). */
    private static void pump(Socket from, Socket to, java.util.function.Predicate<String> forward) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (forward.test(new String(buffer, 0, n, StandardCharsets.ISO_8859_1))) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // One side closed: the other is closed below, as a TCP peer would see it.
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }

    @Override
    public void close() throws IOException {
        down();
    }
}
