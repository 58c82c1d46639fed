package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.baton.CallOptions;
import io.baton.Context;
import io.baton.DeadlineExceededException;
import io.baton.InvalidNameException;
import io.baton.NoRespondersException;
import io.baton.PayloadTooLargeException;
import io.baton.RemoteException;
import io.baton.ServeOptions;
import io.baton.Subscription;
import io.baton.UnknownOperationException;
import io.baton.spi.Capability;
import io.baton.tck.Fixtures.Add;
import io.baton.tck.Fixtures.Budget;
import io.baton.tck.Fixtures.Point;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RPC contract: load-balanced calls with a deadline that travels with nested calls, immediate
 * no-responders, remote errors with their type and message, cancellation of the server side, and
 * interface-typed clients and servers.
 */
public abstract class RpcTck extends BackendTck {

    /** Interface of the typed RPC tests: primitives, records, void, null and an overload by arity. */
    public interface Calculator {
        int add(int a, int b);

        int add(int a, int b, int c);

        double scale(double value, double factor);

        boolean isPositive(long value);

        Point mirror(Point p);

        List<Point> line(Point from, int steps);

        String find(String name);

        void remember(String note);

        List<String> notes();

        int divide(int a, int b);
    }

    /** The server side of {@link Calculator}. */
    public static final class RealCalculator implements Calculator {
        private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override public int add(int a, int b) { return a + b; }

        @Override public int add(int a, int b, int c) { return a + b + c; }

        @Override public double scale(double value, double factor) { return value * factor; }

        @Override public boolean isPositive(long value) { return value > 0; }

        @Override public Point mirror(Point p) { return new Point(-p.x(), -p.y()); }

        @Override public List<Point> line(Point from, int steps) {
            return java.util.stream.IntStream.range(0, steps).mapToObj(i -> new Point(from.x() + i, from.y())).toList();
        }

        @Override public String find(String name) { return name.equals("known") ? "found" : null; }

        @Override public void remember(String note) { notes.add(note); }

        @Override public List<String> notes() { return List.copyOf(notes); }

        @Override public int divide(int a, int b) {
            if (b == 0) {
                throw new IllegalArgumentException("division by zero");
            }
            return a / b;
        }
    }

    @BeforeEach
    public void requireRpc() {
        assumeCapability(Capability.RPC);
    }

    // ---- calls --------------------------------------------------------------------------------

    @Test
    public void call_returnsTheHandlersResult() {
        String subject = subject() + ".add";
        baton.serve(subject, Add.class, a -> a.x() + a.y());

        assertThat(baton.call(subject, new Add(1, 2), Integer.class)).isEqualTo(3);
        assertThat(baton.call(subject, new Add(-5, 2), Integer.class, CallOptions.timeout(TIMEOUT))).isEqualTo(-3);
    }

    @Test
    public void call_handlerReturningNull_returnsNull() {
        String subject = subject();
        baton.serve(subject, String.class, s -> null);

        assertThat(baton.call(subject, "anything", String.class)).isNull();
    }

    @Test
    public void call_recordsBothWays() {
        String subject = subject();
        baton.serve(subject, Point.class, p -> new Point(p.y(), p.x()));

        assertThat(baton.call(subject, new Point(1, 2), Point.class)).isEqualTo(new Point(2, 1));
    }

    @Test
    public void callAsync_completesWithTheResult() throws Exception {
        String subject = subject();
        baton.serve(subject, Add.class, a -> a.x() * a.y());

        CompletableFuture<Integer> product = baton.callAsync(subject, new Add(6, 7), Integer.class);
        CompletableFuture<Integer> other = baton.callAsync(subject, new Add(2, 3), Integer.class, CallOptions.timeout(TIMEOUT));

        assertThat(product.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
        assertThat(other.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(6);
    }

    @Test
    public void call_withSeveralServers_spreadsCallsOverThem() {
        String subject = subject();
        baton.serve(subject, String.class, s -> "one");
        baton.serve(subject, String.class, s -> "two");

        Set<String> servers = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 50; i++) {
            servers.add(baton.call(subject, "who", String.class));
        }

        assertThat(servers).containsExactlyInAnyOrder("one", "two");
    }

    @Test
    public void call_headers_reachTheServersContext() {
        String subject = subject();
        baton.serve(subject, String.class, s -> {
            Context context = Context.current();
            return context.subject() + "|" + context.headers().get("tenant");
        });

        String reply = baton.call(subject, "x", String.class, new CallOptions(TIMEOUT, Map.of("tenant", "acme")));

        assertThat(reply).isEqualTo(subject + "|acme");
        assertThat(Context.current()).as("context outside any handler").isNull();
    }

    @Test
    public void call_withoutATimeout_usesTheConnectionsDefaultDeadline() {
        String subject = subject();
        baton.serve(subject, String.class, s -> Context.current().remaining().toMillis());

        long remaining = baton.call(subject, "x", Long.class);

        assertThat(remaining).isPositive().isLessThanOrEqualTo(connectOptions().callTimeout().toMillis());
    }

    // ---- failures -----------------------------------------------------------------------------

    @Test
    public void call_withNoServer_failsAtOnceWithNoRespondersException() {
        String subject = subject();

        long start = System.nanoTime();
        assertThatThrownBy(() -> baton.call(subject, "x", String.class, CallOptions.timeout(Duration.ofSeconds(30))))
                .isInstanceOf(NoRespondersException.class);
        assertThat(elapsedMillis(start)).as("failed at once, not at the 30 s deadline").isLessThan(1_000);

        long asyncStart = System.nanoTime();
        CompletableFuture<String> async = baton.callAsync(subject, "x", String.class, CallOptions.timeout(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> async.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NoRespondersException.class);
        assertThat(elapsedMillis(asyncStart)).isLessThan(1_000);
    }

    @Test
    public void call_afterTheServerClosed_failsWithNoRespondersException() {
        String subject = subject();
        Subscription server = baton.serve(subject, String.class, s -> "hi");
        assertThat(baton.call(subject, "x", String.class)).isEqualTo("hi");

        server.close();

        assertThat(server.isActive()).isFalse();
        assertThatThrownBy(() -> baton.call(subject, "x", String.class, CallOptions.timeout(Duration.ofSeconds(30))))
                .isInstanceOf(NoRespondersException.class);
    }

    @Test
    public void call_requestOrReplyOverThePayloadLimit_failsWithATypedError() {
        int limit = connectOptions().maxPayloadBytes();
        String subject = subject();
        baton.serve(subject, Integer.class, size -> new byte[size]);

        assertThatThrownBy(() -> baton.call(subject, new byte[limit + 1], byte[].class))
                .isInstanceOf(PayloadTooLargeException.class);
        assertThat(catchThrowable(() -> baton.call(subject, limit + 1, byte[].class)))
                .isInstanceOfSatisfying(RemoteException.class,
                        e -> assertThat(e.remoteType()).isEqualTo(PayloadTooLargeException.class.getName()));
        assertThat(baton.call(subject, 16, byte[].class)).hasSize(16);
    }

    @Test
    public void call_whenHandlerThrows_throwsRemoteExceptionWithTypeAndMessage() {
        String subject = subject();
        baton.serve(subject, String.class, s -> {
            throw new IllegalStateException("boom");
        });

        Throwable thrown = catchThrowable(() -> baton.call(subject, "x", String.class));

        assertThat(thrown).isInstanceOf(RemoteException.class);
        RemoteException remote = (RemoteException) thrown;
        assertThat(remote.remoteType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(remote.remoteMessage()).isEqualTo("boom");
        assertThat(remote.subject()).isEqualTo(subject);
    }

    @Test
    public void callAsync_whenHandlerThrows_failsWithRemoteException() {
        String subject = subject();
        baton.serve(subject, String.class, s -> {
            throw new java.io.IOException("disk");
        });

        CompletableFuture<String> reply = baton.callAsync(subject, "x", String.class);

        assertThatThrownBy(() -> reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RemoteException.class)
                .satisfies(e -> assertThat(((RemoteException) e).remoteType()).isEqualTo("java.io.IOException"));
    }

    @Test
    public void call_pastItsDeadline_throwsDeadlineExceededException() {
        String subject = subject();
        CountDownLatch gate = gate();
        baton.serve(subject, String.class, s -> {
            gate.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return "too late";
        });

        long start = System.nanoTime();
        assertThatThrownBy(() -> baton.call(subject, "x", String.class, CallOptions.timeout(Duration.ofMillis(200))))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(elapsedMillis(start)).isBetween(150L, 5_000L);
    }

    @Test
    public void call_toAPattern_throwsInvalidNameException() {
        String root = subject();

        assertThatThrownBy(() -> baton.call(root + ".*", "x", String.class)).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> baton.call(root + ".>", "x", String.class)).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> baton.call("bad..subject", "x", String.class)).isInstanceOf(InvalidNameException.class);
    }

    // ---- deadlines and cancellation -----------------------------------------------------------

    /**
     * How much later a nested call's deadline may be than its caller's: the time a request spends
     * between processes (the budget is relative, so transit adds to it). Zero in process.
     */
    protected Duration transitAllowance() {
        return Duration.ZERO;
    }

    @Test
    public void call_nested_inheritsTheRemainingDeadline() {
        String outer = subject() + ".outer";
        String inner = subject() + ".inner";
        baton.serve(inner, String.class, s -> Context.current().remaining().toMillis() + "|" + Context.current().deadline().toEpochMilli());
        baton.serve(outer, String.class, s -> {
            Context context = Context.current();
            long outerRemaining = context.remaining().toMillis();
            String[] innerSaw = baton.call(inner, s, String.class).split("\\|"); // no timeout given: the default is 5 s
            return new Budget(outerRemaining, Long.parseLong(innerSaw[0]), context.deadline().toEpochMilli(), Long.parseLong(innerSaw[1]));
        });

        Budget budget = baton.call(outer, "x", Budget.class, CallOptions.timeout(Duration.ofMillis(300)));

        assertThat(budget.outerRemainingMs()).isPositive().isLessThanOrEqualTo(300);
        assertThat(budget.innerRemainingMs()).isPositive().isLessThanOrEqualTo(300);
        // The budget travels as a relative time; allow for its rounding, and for the transit of the request.
        assertThat(budget.innerDeadlineMs()).isLessThanOrEqualTo(budget.outerDeadlineMs() + 5 + transitAllowance().toMillis());
    }

    @Test
    public void call_nestedAfterTheDeadlinePassed_isNotStarted() throws Exception {
        String outer = subject() + ".outer";
        String inner = subject() + ".inner";
        AtomicInteger innerStarted = new AtomicInteger();
        CompletableFuture<Throwable> nestedOutcome = new CompletableFuture<>();
        baton.serve(inner, String.class, s -> {
            innerStarted.incrementAndGet();
            return "ran";
        });
        baton.serve(outer, String.class, s -> {
            try {
                Thread.sleep(Context.current().remaining().toMillis() + 100);
            } catch (InterruptedException e) {
                // interrupted at the deadline: expected where the backend does so
            }
            while (Context.current().remaining().toMillis() > -10) {
                Thread.onSpinWait();
            }
            try {
                nestedOutcome.complete(new AssertionError("nested call returned " + baton.call(inner, s, String.class)));
            } catch (Throwable t) {
                nestedOutcome.complete(t);
            }
            return "late";
        });

        assertThatThrownBy(() -> baton.call(outer, "x", String.class, CallOptions.timeout(Duration.ofMillis(200))))
                .isInstanceOf(DeadlineExceededException.class);

        assertThat(nestedOutcome.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(innerStarted.get()).as("inner handler runs").isZero();
    }

    @Test
    public void serve_requestWhoseDeadlinePassedWhileQueued_isNotStarted() throws Exception {
        String subject = subject();
        Recorder<String> started = new Recorder<>();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch gate = gate();
        baton.serve(subject, String.class, s -> {
            started.add(s);
            if (s.equals("slow")) {
                busy.countDown();
                gate.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return s;
        }, new ServeOptions(1));
        CompletableFuture<String> slow = baton.callAsync(subject, "slow", String.class, CallOptions.timeout(TIMEOUT));
        awaitLatch(busy, "slow call started");

        CompletableFuture<String> expired = baton.callAsync(subject, "expired", String.class, CallOptions.timeout(Duration.ofMillis(100)));
        Throwable expiredOutcome = catchThrowable(() -> expired.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        // the serving side's deadline can trail the caller's by the request's transit (the budget is relative)
        long transitEnds = System.nanoTime() + transitAllowance().toNanos();
        eventually().pollInterval(Duration.ofMillis(5)).until(() -> System.nanoTime() >= transitEnds);
        gate.countDown();

        assertThat(expiredOutcome).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DeadlineExceededException.class);
        assertThat(slow.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("slow");
        assertThat(baton.call(subject, "after", String.class)).isEqualTo("after");
        holdsFor(Duration.ofMillis(200), () -> !started.contains("expired"));
    }

    @Test
    public void serve_whenTheDeadlinePasses_interruptsTheHandler() {
        String subject = subject();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        CountDownLatch gate = gate();
        baton.serve(subject, String.class, s -> {
            try {
                gate.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(Context.current().isCancelled());
            }
            return "done";
        });

        assertThatThrownBy(() -> baton.call(subject, "x", String.class, CallOptions.timeout(Duration.ofMillis(200))))
                .isInstanceOf(DeadlineExceededException.class);

        assertThat(interrupted).succeedsWithin(TIMEOUT).as("interrupted, with its context cancelled").isEqualTo(true);
    }

    @Test
    public void callAsync_cancelledByTheCaller_cancelsTheServerSide() {
        assumeCapability(Capability.RPC_CANCELLATION);
        String subject = subject();
        AtomicReference<Context> serverContext = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = gate();
        baton.serve(subject, String.class, s -> {
            serverContext.set(Context.current());
            started.countDown();
            try {
                gate.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            return "done";
        });
        // A far deadline: only the caller's cancel can cancel the server side here.
        CompletableFuture<String> reply = baton.callAsync(subject, "x", String.class, CallOptions.timeout(Duration.ofSeconds(60)));
        awaitLatch(started, "server started");

        reply.cancel(true);

        eventually().untilAsserted(() -> {
            assertThat(serverContext.get().isCancelled()).as("server context cancelled").isTrue();
            assertThat(interrupted).as("server thread interrupted").isTrue();
        });
        assertThat(serverContext.get().remaining()).isGreaterThan(Duration.ofSeconds(30));
    }

    // ---- interface-typed RPC ------------------------------------------------------------------

    @Test
    public void proxy_callsTheServedImplementation() {
        baton.serve(Calculator.class, new RealCalculator());
        Calculator calculator = baton.proxy(Calculator.class);

        assertThat(calculator.add(2, 3)).isEqualTo(5);
        assertThat(calculator.add(1, 2, 3)).isEqualTo(6);
        assertThat(calculator.scale(1.5, 4)).isEqualTo(6.0);
        assertThat(calculator.isPositive(Long.MAX_VALUE)).isTrue();
        assertThat(calculator.isPositive(-1)).isFalse();
        assertThat(calculator.mirror(new Point(3, -4))).isEqualTo(new Point(-3, 4));
        assertThat(calculator.line(new Point(0, 7), 3)).containsExactly(new Point(0, 7), new Point(1, 7), new Point(2, 7));
        assertThat(calculator.find("known")).isEqualTo("found");
        assertThat(calculator.find("unknown")).isNull();
        calculator.remember("a");
        calculator.remember("b");
        assertThat(calculator.notes()).containsExactly("a", "b");
    }

    @Test
    public void proxy_whenTheImplementationThrows_throwsRemoteException() {
        baton.serve(Calculator.class, new RealCalculator());
        Calculator calculator = baton.proxy(Calculator.class);

        Throwable thrown = catchThrowable(() -> calculator.divide(1, 0));

        assertThat(thrown).isInstanceOf(RemoteException.class);
        assertThat(((RemoteException) thrown).remoteType()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(((RemoteException) thrown).remoteMessage()).isEqualTo("division by zero");
    }

    @Test
    public void proxy_withNoServer_throwsNoRespondersException() {
        Calculator calculator = baton.proxy(Calculator.class);

        assertThatThrownBy(() -> calculator.add(1, 2)).isInstanceOf(NoRespondersException.class);
    }

    @Test
    public void proxy_callingAMethodTheServerDoesNotHave_throwsUnknownOperationException() {
        // An older server: VersionedOps as it was before b() was added. Same fully qualified name,
        // hence the same subject, defined in a class loader of its own, as another process would have it.
        Class<?> version1 = InterfaceClassWriter.define(VersionedOps.class.getName(), Map.of("a", "()I"),
                VersionedOps.class.getClassLoader());
        assertThat(version1).isNotEqualTo(VersionedOps.class);
        InvocationHandler server = (proxy, method, args) -> switch (method.getName()) {
            case "a" -> 41 + 1;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "VersionedOps v1 server";
            default -> throw new UnsupportedOperationException(method.getName());
        };
        serveAs(version1, Proxy.newProxyInstance(version1.getClassLoader(), new Class<?>[] {version1}, server));
        VersionedOps client = baton.proxy(VersionedOps.class);

        assertThat(client.a()).isEqualTo(42);
        assertThatThrownBy(client::b).isInstanceOf(UnknownOperationException.class);
        assertThat(client.a()).as("the connection still works after the unknown operation").isEqualTo(42);
    }

    private <I> Subscription serveAs(Class<I> api, Object implementation) {
        return baton.serve(api, api.cast(implementation));
    }
}
