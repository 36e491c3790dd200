package io.ridescore.testing;

import io.ridescore.Pipeline;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEventParser;
import io.ridescore.event.RunSummary;
import io.ridescore.model.ShadowComparison;
import io.ridescore.run.JobEnvironment;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.List;

/**
 * The online topology on the test's MiniCluster with in-memory ends: the job's own settings and
 * execution options, a bounded input, so the run ends when every record is through and the output
 * is complete. No Kinesis, no waiting for records to show up. With a challenger, its shadow
 * records and the job's comparison totals come back too.
 */
public record MemoryRun(
        List<String> predictions,
        List<String> deadLetters,
        RunSummary counts,
        List<String> shadow,
        ShadowComparison.Totals comparison) {

    /** Runs the job of {@code conf} (an online mode) on the records; the model is not polled, so the job can end. */
    public static MemoryRun of(Configuration conf, List<byte[]> records, int shards) throws Exception {
        Configuration job = conf.clone();
        job.set(RideScoreOptions.MODEL_POLL_INTERVAL, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(job.get(RideScoreOptions.PARALLELISM));
        JobEnvironment.configure(env, job);
        RideEventParser.PickupRange range = RideScoreOptions.pickupRange(job);
        MemoryRideOutput output = new MemoryRideOutput();
        Pipeline.build(
                env,
                Pipeline.Settings.from(job),
                new MemoryRideInput(records, shards, System.currentTimeMillis(), range),
                output);
        JobExecutionResult result = env.execute("online topology, in-memory ends");
        return new MemoryRun(
                output.predictions(),
                output.deadLetters(),
                RunSummary.fromAccumulators(result.getAllAccumulatorResults(), result.getNetRuntime()),
                output.shadow(),
                result.getAccumulatorResult(ShadowComparison.NAME));
    }
}
