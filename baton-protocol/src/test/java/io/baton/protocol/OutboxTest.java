package io.baton.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboxTest {

    /** The frames the channel was given, in order, as (verb, stream, value); and how many buffers carried them. */
    private record Written(List<int[]> frames, int buffers) {}

    private static Written written(EmbeddedChannel channel) {
        List<int[]> frames = new ArrayList<>();
        int buffers = 0;
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buffers++) {
            try {
                while (buf.isReadable()) {
                    int length = buf.readInt();
                    int verb = buf.readUnsignedByte();
                    int stream = buf.readInt();
                    assertThat(length).as("frame length").isEqualTo(9);
                    frames.add(new int[] {verb, stream, buf.readInt()});
                }
            } finally {
                buf.release();
            }
        }
        return new Written(frames, buffers);
    }

    @Test
    void framesWrittenBeforeTheLoopRuns_leaveInOrder_inOneBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Outbox outbox = new Outbox(channel, null);
        for (int i = 0; i < 100; i++) {
            int n = i;
            outbox.write(Verb.MESSAGE, 7, 4, out -> out.writeInt(n));
        }
        assertThat(outbox.pendingBytes()).isEqualTo(100 * 13);
        assertThat(written(channel).frames()).as("nothing before the loop drains").isEmpty();

        channel.runPendingTasks();

        Written w = written(channel);
        assertThat(w.frames()).extracting(f -> f[2]).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).boxed().toList());
        assertThat(w.buffers()).as("one batch, one buffer").isEqualTo(1);
        assertThat(outbox.pendingBytes()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void framesFromManyThreads_allArrive_eachThreadsInItsOrder() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        Outbox outbox = new Outbox(channel, null);
        int threads = 4;
        int each = 5_000;
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int stream = t + 1;
            writers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    outbox.write(Verb.MESSAGE, stream, 4, out -> out.writeInt(n));
                }
            }));
        }
        for (Thread w : writers) w.join();
        channel.runPendingTasks();

        List<int[]> frames = written(channel).frames();
        assertThat(frames).hasSize(threads * each);
        int[] next = new int[threads + 1];
        for (int[] f : frames) assertThat(f[2]).as("stream %d in order", f[1]).isEqualTo(next[f[1]]++);
        channel.finishAndReleaseAll();
    }

    @Test
    void aFrameWhoseFieldsFail_leavesNothingBehind_andTheOthersGoOn() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Outbox outbox = new Outbox(channel, null);
        outbox.write(Verb.OK, 1, 4, out -> out.writeInt(1));
        assertThatThrownBy(() -> outbox.write(Verb.OK, 2, 4, out -> {
            out.writeInt(2);
            throw new IllegalArgumentException("cannot encode");
        })).hasMessage("cannot encode");
        outbox.write(Verb.OK, 3, 4, out -> out.writeInt(3));
        channel.runPendingTasks();

        assertThat(written(channel).frames()).extracting(f -> f[1]).containsExactly(1, 3);
        channel.finishAndReleaseAll();
    }

    @Test
    void theLastFrame_isWrittenThenTheChannelCloses_andLaterFramesAreDropped() {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicInteger drains = new AtomicInteger();
        Outbox outbox = new Outbox(channel, drains::incrementAndGet);
        outbox.write(Verb.OK, 1, 4, out -> out.writeInt(1));
        outbox.writeAndClose(Verb.ERROR, 2, 4, out -> out.writeInt(2));
        outbox.write(Verb.OK, 3, 4, out -> out.writeInt(3));
        channel.runPendingTasks();

        assertThat(written(channel).frames()).extracting(f -> f[1]).containsExactly(1, 2);
        assertThat(channel.isOpen()).isFalse();
        assertThat(drains).as("the drain callback ran").hasValue(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void hasRoom_countsWhatWaitsHere() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Outbox outbox = new Outbox(channel, null);
        outbox.write(Verb.MESSAGE, 1, 1000, out -> out.writeZero(1000));
        assertThat(outbox.hasRoom(2000)).isTrue();
        assertThat(outbox.hasRoom(1000)).as("1,009 bytes wait").isFalse();
        channel.runPendingTasks();
        assertThat(outbox.hasRoom(1000)).isTrue();
        channel.finishAndReleaseAll();
    }
}
