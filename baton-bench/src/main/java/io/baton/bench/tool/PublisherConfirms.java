package io.baton.bench.tool;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * RabbitMQ publisher confirms as one future per publish: puts {@code channel} in confirm mode and
 * completes each publish's future when the broker's ack covers it (one tag, or with
 * {@code multiple} every tag up to it), or fails it on a nack. One publishing thread per channel.
 * Public so that the side-by-side harnesses ({@code ServerComparison}'s RabbitMQ queue) can use it too.
 */
public final class PublisherConfirms {
    private final Channel channel;
    private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> unconfirmed = new ConcurrentSkipListMap<>();

    public PublisherConfirms(Channel channel) throws IOException {
        this.channel = channel;
        channel.confirmSelect();
        channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
                (tag, multiple) -> settle(tag, multiple, new IOException("the broker nacked message " + tag)));
    }

    /** The future of the publish about to be made on the channel: call just before {@code basicPublish}. */
    public CompletableFuture<Void> next() {
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        unconfirmed.put(channel.getNextPublishSeqNo(), confirmed);
        return confirmed;
    }

    private void settle(long tag, boolean multiple, Throwable nack) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        if (multiple) {
            Map<Long, CompletableFuture<Void>> covered = unconfirmed.headMap(tag, true);
            done.addAll(covered.values());
            covered.clear(); // nothing new can be in range: later publishes have higher tags
        } else {
            CompletableFuture<Void> one = unconfirmed.remove(tag);
            if (one != null) done.add(one);
        }
        for (CompletableFuture<Void> f : done) {
            if (nack == null) f.complete(null);
            else f.completeExceptionally(nack);
        }
    }
}
