package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A subscriber that stops reading loses its subscription past the pending-bytes bound, and nobody else notices. */
class SlowSubscriberTest {
    private BatonServer server;

    @BeforeEach
    void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).subscriberPendingBytes(64 * 1024).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aSubscriberThatNeverReads_isCutOffAndCounted_whilePublishingAndOtherSubscribersGoOn() throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096); // a small window, so that the server's side fills soon
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            stalled.setSoTimeout(10_000);
            stalled.getOutputStream().write(Wire.concat(ClientFrames.hello(1).frame(), ClientFrames.subscribe(2, "slow.t").frame()));
            DataInputStream in = new DataInputStream(stalled.getInputStream());
            assertThat(readVerb(in)).isEqualTo(Verb.WELCOME);
            assertThat(readVerb(in)).isEqualTo(Verb.OK);
            // from here on it reads nothing

            TopicChannel topics = server.backend().topics();
            AtomicInteger fastGot = new AtomicInteger();
            AutoCloseable fast = topics.subscribe("slow.t", (e, seq) -> fastGot.incrementAndGet());
            try {
                byte[] payload = new byte[4096];
                int count = 5_000; // 20 MB: far past the bound and any socket buffers
                long started = System.nanoTime();
                for (int i = 0; i < count; i++) topics.publish(Envelope.of("slow.t", payload)).join();
                long publishMillis = (System.nanoTime() - started) / 1_000_000;

                await().atMost(Duration.ofSeconds(10)).until(() -> server.metrics().slowConsumersCutOff() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> fastGot.get() == count);
                assertThat(publishMillis).as("publishing never waited for the stalled subscriber").isLessThan(10_000);
            } finally {
                fast.close();
            }
        }
    }

    private static int readVerb(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return body[0] & 0xFF;
    }
}
