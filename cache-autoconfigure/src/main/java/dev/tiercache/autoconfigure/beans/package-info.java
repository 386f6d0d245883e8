/**
 * What the features that call application beans' methods share (warming, penetration guards): finding
 * the beans and their annotated methods, calling them through their proxies, and reading what they
 * yield. Internal: not an API.
 */
@NullMarked
package dev.tiercache.autoconfigure.beans;

import org.jspecify.annotations.NullMarked;
