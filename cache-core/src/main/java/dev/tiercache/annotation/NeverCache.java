package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a type, or a field (or record component), whose values must never reach a cache: a password, a
 * card number, a token. Start-up fails, naming the method and the path to the marked part, when a
 * Tiercache method would cache such a value or hold it in Redis: the result of a {@link CacheAside}, the
 * value of a {@link WriteThrough}, the arguments a {@link WriteBehind} queues; within a value, the
 * fields of its type are followed (through arrays, collections, maps and {@code Optional}) down to JDK
 * types. The same check applies to the type and field name patterns of
 * {@code tiercache.never-cache.types} and {@code tiercache.never-cache.fields}.
 *
 * <p>The check reads declared types: a value declared as {@code Object} or an interface is checked as
 * such, not as what it holds at run time.
 */
@Target({ ElementType.TYPE, ElementType.FIELD, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NeverCache {

}
