package io.baton.internal;

import io.baton.Baton;
import io.baton.Consume;
import io.baton.ConsumeOptions;
import io.baton.Handler;
import io.baton.Message;
import io.baton.Serve;
import io.baton.ServeOptions;
import io.baton.Subscribe;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@link Baton#register(Object)}: finds the methods annotated {@link Consume}, {@link Subscribe}
 * and {@link Serve}, checks all of them first, then binds all of them; if one binding fails, those
 * already made are closed, so either all are bound or none is.
 */
final class AnnotatedFunctions {
    private AnnotatedFunctions() {}

    static Subscription register(Baton baton, Object target) {
        List<Supplier<Subscription>> bindings = new ArrayList<>();
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isBridge() || m.isSynthetic()) continue; // javac copies annotations onto bridges
                Consume consume = m.getAnnotation(Consume.class);
                Subscribe subscribe = m.getAnnotation(Subscribe.class);
                Serve serve = m.getAnnotation(Serve.class);
                int count = (consume != null ? 1 : 0) + (subscribe != null ? 1 : 0) + (serve != null ? 1 : 0);
                if (count == 0) continue;
                if (count > 1) throw shape(m, "has more than one of @Consume, @Subscribe, @Serve");
                if (m.getParameterCount() != 1) throw shape(m, "must take exactly one parameter (the body, or a Message)");
                if (Modifier.isStatic(m.getModifiers())) throw shape(m, "must not be static");
                m.setAccessible(true);
                if (consume != null) bindings.add(consumer(baton, target, m, consume));
                else if (subscribe != null) bindings.add(subscriber(baton, target, m, subscribe));
                else bindings.add(server(baton, target, m, serve));
            }
        }
        if (bindings.isEmpty()) {
            throw new IllegalArgumentException(target.getClass().getName() + " has no method annotated @Consume, @Subscribe or @Serve");
        }
        List<Subscription> bound = new ArrayList<>();
        try {
            for (Supplier<Subscription> b : bindings) bound.add(b.get());
        } catch (RuntimeException e) {
            bound.forEach(Subscription::close);
            throw e;
        }
        return new Group(bound);
    }

    private static Supplier<Subscription> consumer(Baton baton, Object target, Method m, Consume a) {
        Class<?> body = bodyType(m, a.type());
        io.baton.internal.Subjects.checkQueueName(a.value());
        ConsumeOptions options = ConsumeOptions.builder().concurrency(a.concurrency()).maxAttempts(a.maxAttempts()).build();
        Handler<Message<Object>> handler = messageHandler(target, m);
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) body;
        return () -> baton.queue(a.value(), type).consumeMessages(handler, options);
    }

    private static Supplier<Subscription> subscriber(Baton baton, Object target, Method m, Subscribe a) {
        Class<?> body = bodyType(m, a.type());
        io.baton.internal.Subjects.checkPattern(a.value());
        SubscribeOptions.Builder options = SubscribeOptions.builder().concurrency(a.concurrency());
        if (!a.durable().isEmpty()) options.durable(a.durable());
        Handler<Message<Object>> handler = messageHandler(target, m);
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) body;
        SubscribeOptions built = options.build();
        return () -> baton.topic(a.value(), type).subscribeMessages(handler, built);
    }

    private static Supplier<Subscription> server(Baton baton, Object target, Method m, Serve a) {
        if (Message.class.isAssignableFrom(m.getParameterTypes()[0])) throw shape(m, "serves RPC: its parameter is the request, not a Message");
        io.baton.internal.Subjects.checkSubject(a.value());
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) boxed(m.getParameterTypes()[0]);
        ServeOptions options = new ServeOptions(a.concurrency());
        return () -> baton.serve(a.value(), type, request -> invoke(target, m, request), options);
    }

    private static Class<?> bodyType(Method m, Class<?> declared) {
        Class<?> p = m.getParameterTypes()[0];
        if (Message.class.isAssignableFrom(p)) return declared;
        if (declared != Object.class && declared != p) throw shape(m, "declares type " + declared.getName() + " but takes " + p.getName());
        return boxed(p);
    }

    private static Handler<Message<Object>> messageHandler(Object target, Method m) {
        boolean wantsMessage = Message.class.isAssignableFrom(m.getParameterTypes()[0]);
        return message -> invoke(target, m, wantsMessage ? message : message.body());
    }

    private static Object invoke(Object target, Method m, Object argument) throws Exception {
        try {
            return m.invoke(target, argument);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw (Error) e.getCause();
        }
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) return c;
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == double.class) return Double.class;
        if (c == boolean.class) return Boolean.class;
        if (c == float.class) return Float.class;
        if (c == short.class) return Short.class;
        if (c == byte.class) return Byte.class;
        if (c == char.class) return Character.class;
        throw new IllegalArgumentException("unsupported parameter type " + c);
    }

    private static IllegalArgumentException shape(Method m, String problem) {
        return new IllegalArgumentException(m.getDeclaringClass().getName() + "." + m.getName() + " " + problem);
    }

    /** Several functions closed as one. */
    private record Group(List<Subscription> members) implements Subscription {
        @Override
        public boolean isActive() {
            return members.stream().anyMatch(Subscription::isActive);
        }

        @Override
        public CompletableFuture<Void> closed() {
            return CompletableFuture.allOf(members.stream().map(Subscription::closed).toArray(CompletableFuture[]::new));
        }

        @Override
        public void close() {
            members.forEach(m -> ((Function) m).beginStop()); // all stop together, then one bound for all
            long deadline = System.nanoTime() + ((Function) members.get(0)).runtime().shutdownTimeout().toNanos();
            members.forEach(m -> ((Function) m).awaitStop(deadline));
        }
    }
}
