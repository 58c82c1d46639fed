package io.baton.internal;

import io.baton.CallOptions;
import io.baton.Codec;
import io.baton.CodecException;
import io.baton.Headers;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Interface-typed RPC. One subject per interface (its fully qualified name, {@code $} as
 * {@code .}); the method travels in {@link Headers#RPC_OPERATION} as {@code name/arity}; the
 * arguments are each encoded by the codec and packed as
 *
 * <pre>
 *  0               4                   8
 * +---------------+-------------------+----------------+-------------------+---
 * | count (int32) | length 0 (int32)  | bytes of arg 0 | length 1 (int32)  | ...
 * +---------------+-------------------+----------------+-------------------+---
 * </pre>
 *
 * big-endian, a length of -1 meaning a null argument.
 */
final class InterfaceRpc {
    private InterfaceRpc() {}

    static String subjectOf(Class<?> api) {
        return api.getName().replace('$', '.');
    }

    static String operationOf(Method m) {
        return m.getName() + "/" + m.getParameterCount();
    }

    /** The interface's remote methods by operation; overloads of one arity are refused. */
    static Map<String, Method> operations(Class<?> api) {
        if (!api.isInterface()) throw new IllegalArgumentException(api.getName() + " is not an interface");
        Map<String, Method> ops = new HashMap<>();
        for (Method m : api.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers())) continue;
            Method previous = ops.put(operationOf(m), m);
            if (previous != null) {
                throw new IllegalArgumentException(api.getName() + " has two methods '" + operationOf(m)
                        + "' (overloads with the same number of parameters): RPC cannot tell them apart");
            }
        }
        return ops;
    }

    static byte[] packArguments(Codec codec, Object[] args) {
        int n = args == null ? 0 : args.length;
        byte[][] encoded = new byte[n][];
        int size = 4;
        for (int i = 0; i < n; i++) {
            encoded[i] = args[i] == null ? null : codec.encode(args[i]);
            size += 4 + (encoded[i] == null ? 0 : encoded[i].length);
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(n);
        for (byte[] e : encoded) {
            if (e == null) out.putInt(-1);
            else out.putInt(e.length).put(e);
        }
        return out.array();
    }

    static Object[] unpackArguments(Codec codec, byte[] packed, Type[] types) throws RpcServer.Failure {
        ByteBuffer in = ByteBuffer.wrap(packed);
        if (in.remaining() < 4) throw new RpcServer.Failure("decode", "argument block too short: " + packed.length + " bytes");
        int n = in.getInt();
        if (n != types.length) throw new RpcServer.Failure("decode", "expected " + types.length + " arguments, got " + n);
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            if (in.remaining() < 4) throw new RpcServer.Failure("decode", "argument " + i + " is truncated");
            int len = in.getInt();
            if (len == -1) continue;
            if (len < 0 || len > in.remaining()) throw new RpcServer.Failure("decode", "argument " + i + " has a bad length " + len);
            byte[] bytes = new byte[len];
            in.get(bytes);
            try {
                args[i] = codec.decode(bytes, types[i]);
            } catch (CodecException e) {
                throw new RpcServer.Failure("decode", "argument " + i + ": " + e.getMessage());
            }
        }
        return args;
    }

    /** The server side: dispatches each request to the implementation's method. */
    static RpcServer.Invocation dispatcher(Class<?> api, Object implementation, Codec codec) {
        Map<String, Method> ops = operations(api);
        ops.values().forEach(m -> m.setAccessible(true)); // the interface may be package-private
        String subject = subjectOf(api);
        return request -> {
            String op = request.headers().get(Headers.RPC_OPERATION);
            Method m = op == null ? null : ops.get(op);
            if (m == null) {
                throw new RpcServer.Failure("unknown-operation", "'" + subject + "' has no operation '" + op + "' on this server");
            }
            Object[] args = unpackArguments(codec, request.payload(), m.getGenericParameterTypes());
            Object result;
            try {
                result = m.invoke(implementation, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) throw ex;
                throw (Error) cause;
            }
            if (result == null) return new RpcServer.Reply(new byte[0], RpcServer.NULL_HEADERS);
            return new RpcServer.Reply(codec.encode(result), Map.of());
        };
    }

    @SuppressWarnings("unchecked")
    static <I> I proxy(Class<I> api, RpcClient client) {
        Map<String, Method> ops = operations(api);
        String subject = subjectOf(api);
        Subjects.checkSubject(subject);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "Baton proxy of " + api.getName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            }
            if (method.isDefault()) return InvocationHandler.invokeDefault(proxy, method, args);
            String op = operationOf(method);
            if (!ops.containsKey(op)) throw new UnsupportedOperationException(op);
            byte[] payload = packArguments(client.codec(), args);
            Object result = client.call(subject, payload, Map.of(Headers.RPC_OPERATION, op),
                    CallOptions.defaults(), client.decoderFor(method.getGenericReturnType()));
            if (result == null && method.getReturnType().isPrimitive() && method.getReturnType() != void.class) {
                throw new CodecException("'" + subject + "' returned null for " + op + ", whose type is " + method.getReturnType(), null);
            }
            return result;
        };
        return (I) Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, handler);
    }

}
