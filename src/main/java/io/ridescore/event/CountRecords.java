package io.ridescore.event;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.function.SerializableFunction;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts records under a name derived from each record, as a Flink accumulator (for the run
 * summary) and a metric (for the web UI), and passes them on untouched. The summary adds these up,
 * so the counters stand where records enter and where they leave the topology.
 */
public class CountRecords<T> extends RichMapFunction<T, T> {
    public static final String IN = "in";
    public static final String SCORED = "scored";
    /** A challenger's prediction accepted by the shadow output: apart from a ride's one outcome. */
    public static final String SHADOW = "shadow";

    public static final String DEAD_LETTERED_PREFIX = "dead_lettered.";

    private final String prefix;
    private final SerializableFunction<T, String> key;
    /** By key, not by name: a key is most often a constant string, whose hash is kept, and needs no concatenation. */
    private transient Map<String, Counted> counters;

    private record Counted(LongCounter accumulator, Counter metric) {}

    /** Counts each record under {@code prefix} followed by its key. */
    public CountRecords(String prefix, SerializableFunction<T, String> key) {
        this.prefix = prefix;
        this.key = key;
    }

    public static <T> CountRecords<T> as(String name) {
        return new CountRecords<>("", record -> name);
    }

    public static CountRecords<DeadLetter> deadLettersByReason() {
        return new CountRecords<>(DEAD_LETTERED_PREFIX, letter -> letter.reason);
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new HashMap<>();
        // Every task of every mode counts, so this is where a job's tasks arrange for its classes to go.
        HadoopCaches.releaseWithJob(getRuntimeContext());
    }

    @Override
    public T map(T record) throws Exception {
        String key = this.key.apply(record);
        Counted counted = counters.get(key);
        if (counted == null) {
            counted = register(prefix + key);
            counters.put(key, counted);
        }
        counted.accumulator.add(1);
        counted.metric.inc();
        return record;
    }

    private Counted register(String name) {
        // Accumulators belong to the task: a counter chained in the same task may have added it.
        LongCounter accumulator = (LongCounter) getRuntimeContext().<Long, Long>getAccumulator(name);
        if (accumulator == null) {
            accumulator = new LongCounter();
            getRuntimeContext().addAccumulator(name, accumulator);
        }
        return new Counted(accumulator, registerMetric(name));
    }

    private Counter registerMetric(String name) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("ridescore");
        return group.counter(name.replace('.', '_'));
    }
}
