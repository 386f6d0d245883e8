/**
 * Reads Tiercache annotations once per method into immutable operations, resolves their keys and applies them around the method call.
 */
@NullMarked
package dev.tiercache.interceptor;

import org.jspecify.annotations.NullMarked;
