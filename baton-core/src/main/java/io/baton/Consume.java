package io.baton;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an object given to {@link Baton#register(Object)} as the consumer of a queue.
 * The method takes one parameter, the body type (or {@link Message} of it, then the body type is
 * {@link #type()}); returning acks, throwing nacks.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Consume {
    /** The queue name. */
    String value();
    /** Handlers running at once. */
    int concurrency() default 1;
    /** Deliveries before dead-lettering. */
    int maxAttempts() default 5;
    /** The body type when the parameter is a {@link Message}. */
    Class<?> type() default Object.class;
}
