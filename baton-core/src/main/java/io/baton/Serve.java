package io.baton;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an object given to {@link Baton#register(Object)} as the RPC server of a
 * subject. The method takes one parameter, the request, and returns the reply.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Serve {
    /** The subject. */
    String value();
    /** Calls running at once. */
    int concurrency() default 64;
}
