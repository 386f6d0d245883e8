package dev.tiercache.consistency.checker;

/**
 * When a fault was in force, as the nemesis applied and healed it.
 *
 * @param kind the fault
 * @param target what it hit (an instance, or {@code all})
 * @param start when it began ({@code System.nanoTime()})
 * @param end when it was healed
 */
public record FaultWindow(String kind, String target, long start, long end) {
}
