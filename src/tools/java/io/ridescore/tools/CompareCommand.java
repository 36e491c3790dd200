package io.ridescore.tools;

import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.run.JobRunner;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.util.List;

/**
 * One month scored by the serving model and a challenger side by side, offline: the batch job with
 * {@code --challenger}, writing beside the month's real predictions (never over them), and a
 * verdict line. Stream features are on unless turned off, so either model may need them.
 */
final class CompareCommand implements Command {
    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "Scores a month with --model and --challenger side by side (into <data-dir>/compare) and prints"
                + " which is better, by how much, on how many rides.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return RideScoreOptions.ALL;
    }

    @Override
    public int run(Configuration conf) throws Exception {
        if (conf.getOptional(RideScoreOptions.CHALLENGER).isEmpty()) {
            throw new StartupException("compare needs --challenger <model URI> (and --model, else the shipped model)");
        }
        Configuration job = conf.clone();
        job.set(RideScoreOptions.MODE, Mode.BATCH);
        // The serving model as the user's score run would pick it, before stream features are turned on here.
        job.set(RideScoreOptions.MODEL, RideScoreOptions.model(conf));
        job.set(RideScoreOptions.INPUT, RideScoreOptions.input(conf));
        job.set(RideScoreOptions.FEATURES, RideScoreOptions.features(conf));
        if (conf.getOptional(RideScoreOptions.STREAM_FEATURES).isEmpty()) {
            job.set(RideScoreOptions.STREAM_FEATURES, true);
        }
        Configuration beside = conf.clone();
        beside.set(
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.dataDir(conf).resolve("compare").toString());
        job.set(RideScoreOptions.OUTPUT, RideScoreOptions.output(beside));
        job.set(RideScoreOptions.DEAD_LETTERS, RideScoreOptions.deadLetters(beside));
        return JobRunner.run(job, System.out).addsUp() ? 0 : 1;
    }
}
