package io.baton.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one call in flight can cost at the least on this machine, with no messaging system at all:
 * a 150-byte message echoed over loopback TCP with blocking sockets, each hop a thread blocked in
 * {@code read} that writes straight on, (a) directly to an echo thread (one round trip), and (b)
 * through a relay, as a call through a server goes (two round trips, four hops). A request/reply
 * through any server pays (b) plus its own work; this is the floor under the RPC figures of
 * {@link ServerComparison}.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.LoopbackFloor [--calls 50000] [--warmup 10000]}.
 */
public final class LoopbackFloor {
    static final String USAGE = "[--calls N] [--warmup N]";
    private static final int SIZE = 150;

    private LoopbackFloor() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = SideBySide.options(args, USAGE);
        int calls = Integer.parseInt(options.getOrDefault("calls", "50000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "10000"));
        try (ServerSocket echo = listen(); ServerSocket relay = listen()) {
            Thread.ofPlatform().daemon().name("floor-echo").start(() -> serve(echo, null));
            Thread.ofPlatform().daemon().name("floor-relay").start(() -> serve(relay, echo));
            for (String way : new String[] {"direct", "relay"}) {
                int port = way.equals("direct") ? echo.getLocalPort() : relay.getLocalPort();
                Histogram h = roundTrips(port, calls, warmup);
                System.out.printf(Locale.ROOT, "%-7s p50 %,5d us  p90 %,5d us  p99 %,5d us  (%,d round trips)%n", way,
                        h.getValueAtPercentile(50) / 1000, h.getValueAtPercentile(90) / 1000, h.getValueAtPercentile(99) / 1000, calls);
            }
        }
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Accepts connections on {@code socket}: echoes each, or ({@code next} given) relays it to a connection to {@code next}. */
    private static void serve(ServerSocket socket, ServerSocket next) {
        try {
            while (true) {
                Socket in = socket.accept();
                in.setTcpNoDelay(true);
                if (next == null) {
                    pump(in.getInputStream(), in.getOutputStream());
                } else {
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), next.getLocalPort());
                    out.setTcpNoDelay(true);
                    pump(in.getInputStream(), out.getOutputStream());
                    pump(out.getInputStream(), in.getOutputStream());
                }
            }
        } catch (IOException e) {
            // the listener closed: the run is over
        }
    }

    private static void pump(InputStream from, OutputStream to) {
        Thread.ofPlatform().daemon().name("floor-pump").start(() -> {
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the other side closed
            }
        });
    }

    private static Histogram roundTrips(int port, int calls, int warmup) throws IOException {
        Histogram h = new Histogram(3);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] message = new byte[SIZE];
            for (int i = 0; i < warmup + calls; i++) {
                long start = System.nanoTime();
                out.write(message);
                out.flush();
                in.readFully(message);
                if (i >= warmup) h.recordValue(System.nanoTime() - start);
            }
        }
        return h;
    }
}
