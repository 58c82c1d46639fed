package io.baton.bench.tool;

/** A clock that moves only when told, or when someone waits on it (then straight to the deadline). */
final class FakeClock implements NanoClock {
    private long now;

    FakeClock(long start) {
        this.now = start;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void parkUntil(long deadline) {
        now = Math.max(now, deadline);
    }

    void advance(long nanos) {
        now += nanos;
    }

    void set(long time) {
        now = time;
    }
}
