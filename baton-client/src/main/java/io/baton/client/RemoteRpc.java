package io.baton.client;

import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.CancelHooks;
import io.baton.spi.Envelope;
import io.baton.spi.RpcChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** RPC through the server: CALL, and SERVE with REQUEST / CANCEL pushes answered by REPLY. */
final class RemoteRpc implements RpcChannel {
    private final ClientConnection connection;
    private final CallLanes lanes;
    private final Duration requestTimeout;

    RemoteRpc(ClientConnection connection, CallLanes lanes, Duration requestTimeout) {
        this.connection = connection;
        this.lanes = lanes;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public AutoCloseable serve(String subject, RequestHandler handler) {
        Map<Long, CancelHooks> calls = new ConcurrentHashMap<>();
        return connection.openStream(Verb.SERVE, out -> FrameWriter.str(out, subject), (verb, in) -> {
            if (verb == Verb.REQUEST) {
                long callId = in.i64("callId");
                Envelope request = in.envelope(Integer.MAX_VALUE);
                CancelHooks call = new CancelHooks();
                calls.put(callId, call);
                handler.onRequest(request, new Reply() {
                    @Override
                    public void send(Envelope response) {
                        calls.remove(callId);
                        connection.write(Verb.REPLY, 0, out -> {
                            out.writeLong(callId);
                            FrameWriter.envelope(out, response);
                        });
                    }

                    @Override
                    public void onCancel(Runnable hook) {
                        call.add(hook);
                    }
                });
            } else if (verb == Verb.CANCEL) {
                CancelHooks call = calls.remove(in.i64("callId"));
                if (call != null) call.cancel();
            }
        }, Verb.UNSERVE, requestTimeout, "serving '" + subject + "'");
    }

    /** A blocking call on a platform thread goes on a connection of its own, if one is idle, written and read by this thread. */
    @Override
    public Envelope call(Envelope request, Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        CallLane lane = lanes.take();
        if (lane == null) return RpcChannel.super.call(request, timeout);
        try {
            return lane.call(request, timeout);
        } finally {
            lanes.giveBack(lane);
        }
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request, Duration timeout) {
        long millis = Math.min(Math.max(timeout.toMillis(), 1), Integer.MAX_VALUE);
        int stream = connection.newStream();
        CompletableFuture<Envelope> call = connection.request(Verb.CALL, stream, out -> {
            out.writeInt((int) millis);
            FrameWriter.envelope(out, request);
        }, in -> in.envelope(Integer.MAX_VALUE));
        // completed by the caller (cancelled, timed out) before the server answered: tell the server
        call.whenComplete((reply, error) -> {
            if (error != null && connection.forget(stream) && connection.isOpen()) connection.write(Verb.CANCEL_REQUEST, stream, out -> { });
        });
        return call;
    }
}
