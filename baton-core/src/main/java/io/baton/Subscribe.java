package io.baton;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an object given to {@link Baton#register(Object)} as a subscriber of a subject
 * or pattern. The method takes one parameter, the body type (or {@link Message} of it, then the body
 * type is {@link #type()}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Subscribe {
    /** The subject or pattern. */
    String value();
    /** A durable subscription name; empty for an ephemeral subscription. */
    String durable() default "";
    /** Handlers running at once. */
    int concurrency() default 1;
    /** The body type when the parameter is a {@link Message}. */
    Class<?> type() default Object.class;
}
