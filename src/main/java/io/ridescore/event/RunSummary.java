package io.ridescore.event;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The counts of a run, from the job's accumulators: what came in, what was scored, what was refused
 * and why; with the job's net run time (submission to end, without starting a local cluster).
 */
public record RunSummary(long in, long scored, Map<String, Long> deadLetteredByReason, long netRuntimeMillis) {

    public static RunSummary fromAccumulators(Map<String, Object> accumulators, long netRuntimeMillis) {
        Map<String, Long> dead = new TreeMap<>();
        accumulators.forEach((name, value) -> {
            if (name.startsWith(CountRecords.DEAD_LETTERED_PREFIX)) {
                dead.put(name.substring(CountRecords.DEAD_LETTERED_PREFIX.length()), ((Number) value).longValue());
            }
        });
        return new RunSummary(
                count(accumulators, CountRecords.IN), count(accumulators, CountRecords.SCORED), dead, netRuntimeMillis);
    }

    public long deadLettered() {
        return deadLetteredByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Input rows per second of the job's net run time. */
    public double rowsPerSecond() {
        return in * 1000.0 / Math.max(1, netRuntimeMillis);
    }

    public boolean addsUp() {
        return in == scored + deadLettered();
    }

    /** {@code in=N scored=N dead_lettered=N (reason=N ...)}, and a loud mark when the counts do not add up. */
    public String line() {
        String reasons = deadLetteredByReason.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return "in=" + in + " scored=" + scored + " dead_lettered=" + deadLettered()
                + (reasons.isEmpty() ? "" : " (" + reasons + ")")
                + (addsUp()
                        ? ""
                        : " COUNTS DO NOT ADD UP: " + (in - scored - deadLettered()) + " records unaccounted for");
    }

    /** The counts as the JSON of a month's _SUCCESS marker. */
    public String json() {
        StringBuilder reasons = new StringBuilder();
        deadLetteredByReason.forEach((r, n) -> reasons.append(reasons.length() == 0 ? "" : ",")
                .append('"')
                .append(r)
                .append("\":")
                .append(n));
        return "{\"in\":" + in + ",\"scored\":" + scored + ",\"dead_lettered\":" + deadLettered()
                + ",\"dead_lettered_by_reason\":{" + reasons + "}}\n";
    }

    private static long count(Map<String, Object> accumulators, String name) {
        Object value = accumulators.get(name);
        return value == null ? 0 : ((Number) value).longValue();
    }
}
