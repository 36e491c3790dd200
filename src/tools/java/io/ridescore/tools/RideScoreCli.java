package io.ridescore.tools;

import io.ridescore.config.CommandLine;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.run.JobRunner;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.List;

/** {@code scripts/ridescore <command> [options]}: every command runs locally; each has its own --help. */
public final class RideScoreCli {
    private static final List<Command> COMMANDS = List.of(
            new DatagenCommand(),
            new FeaturesCommand(),
            new TrainCommand(),
            new ScoreCommand(),
            new ReplayCommand(),
            new ServeCommand(),
            new SubmitCommand(),
            SavepointCommand.savepoint(),
            SavepointCommand.stop(),
            new BackfillCommand(),
            new CompareCommand(),
            new DemoCommand(),
            new BenchBatchCommand(),
            new BenchScoringCommand(),
            new BenchStreamCommand());

    private RideScoreCli() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(usage());
            return;
        }
        Command command = COMMANDS.stream()
                .filter(c -> c.name().equals(args[0]))
                .findFirst()
                .orElse(null);
        if (command == null) {
            System.err.println("ridescore: unknown command '" + args[0] + "'\n\n" + usage());
            System.exit(2);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (CommandLine.wantsHelp(rest)) {
            System.out.print(CommandLine.help(
                    "ridescore " + command.name() + " [options]", command.summary(), command.options()));
            return;
        }
        int code;
        try {
            code = command.run(CommandLine.parse(rest, command.options()));
        } catch (CommandLine.UsageException | StartupException | IllegalArgumentException e) {
            e.getMessage().lines().forEach(line -> System.err.println("ridescore " + command.name() + ": " + line));
            code = 2;
        }
        System.exit(code);
    }

    private static String usage() {
        StringBuilder out = new StringBuilder("usage: scripts/ridescore <command> [options]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            out.append(String.format("  %-9s %s%n", c.name(), c.summary()));
        }
        return out.append("\n'scripts/ridescore <command> --help' lists a command's options.")
                .toString();
    }

    /** The scoring job itself, run on the local mini cluster (web UI on localhost:8081). */
    static final class ScoreCommand implements Command {
        @Override
        public String name() {
            return "score";
        }

        @Override
        public String summary() {
            return "Runs the scoring job (batch: a TLC Parquet month in, predictions Parquet out) on a local mini cluster.";
        }

        @Override
        public List<ConfigOption<?>> options() {
            return RideScoreOptions.ALL;
        }

        @Override
        public int run(Configuration conf) throws Exception {
            return JobRunner.run(conf, System.out).addsUp() ? 0 : 1;
        }
    }

    /** The quick start: sample months if absent, batch features and the shipped model, then score a month. */
    static final class DemoCommand implements Command {
        @Override
        public String name() {
            return "demo";
        }

        @Override
        public String summary() {
            return "Quick start: generates 2021-01 and 2021-02 if absent, builds batch features from 2021-01, "
                    + "scores 2021-02 in batch mode with the shipped model.";
        }

        @Override
        public List<ConfigOption<?>> options() {
            return List.of(RideScoreOptions.DATA_DIR, RideScoreOptions.WEB_UI_PORT, RideScoreOptions.PARALLELISM);
        }

        @Override
        public int run(Configuration conf) throws Exception {
            Configuration gen = conf.clone();
            gen.set(ToolOptions.MONTHS, "2021-01..2021-02");
            boolean missing = false;
            for (String m : List.of("2021-01", "2021-02")) {
                missing |= !Files.exists(
                        Path.of(DatagenCommand.rawFile(conf, YearMonth.parse(m)).getPath()));
            }
            if (missing) {
                System.out.println("generating sample months 2021-01 and 2021-02 ...");
                new DatagenCommand().run(gen);
            }
            if (!Files.exists(Path.of(RideScoreOptions.features(conf)))) {
                System.out.println("building batch features from 2021-01 ...");
                Configuration features = conf.clone();
                features.set(ToolOptions.MONTHS, "2021-01");
                new FeaturesCommand().run(features);
            }
            Configuration score = conf.clone();
            score.set(RideScoreOptions.MONTH, "2021-02");
            return new ScoreCommand().run(score);
        }
    }
}
