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

    private final SerializableFunction<T, String> counterName;
    private transient Map<String, LongCounter> accumulators;
    private transient Map<String, Counter> metrics;

    public CountRecords(SerializableFunction<T, String> counterName) {
        this.counterName = counterName;
    }

    public static <T> CountRecords<T> as(String name) {
        return new CountRecords<>(record -> name);
    }

    public static CountRecords<DeadLetter> deadLettersByReason() {
        return new CountRecords<>(letter -> DEAD_LETTERED_PREFIX + letter.reason);
    }

    @Override
    public void open(OpenContext openContext) {
        accumulators = new HashMap<>();
        metrics = new HashMap<>();
        // Every task of every mode counts, so this is where a job's tasks arrange for its classes to go.
        HadoopCaches.releaseWithJob(getRuntimeContext());
    }

    @Override
    public T map(T record) throws Exception {
        String name = counterName.apply(record);
        LongCounter counter = accumulators.get(name);
        if (counter == null) {
            // Accumulators belong to the task: a counter chained in the same task may have added it.
            counter = (LongCounter) getRuntimeContext().<Long, Long>getAccumulator(name);
            if (counter == null) {
                counter = new LongCounter();
                getRuntimeContext().addAccumulator(name, counter);
            }
            accumulators.put(name, counter);
        }
        counter.add(1);
        metrics.computeIfAbsent(name, this::registerMetric).inc();
        return record;
    }

    private Counter registerMetric(String name) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("ridescore");
        return group.counter(name.replace('.', '_'));
    }
}
