/**
 * The harness: starts a private Redis, finds PostgreSQL, runs the instances as processes behind fault
 * proxies, injects the nemesis's faults on a schedule drawn from the seed, and collects the history.
 */
@NullMarked
package dev.tiercache.consistency.harness;

import org.jspecify.annotations.NullMarked;
