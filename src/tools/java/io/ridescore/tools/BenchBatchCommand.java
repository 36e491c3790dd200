package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.source.RowGroupEnumerator;
import io.ridescore.source.TlcParquetReader;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The batch benchmark, on the clock a user sees: for each month size, the Python peer (the
 * zoomcamp score.py shape, pandas + scikit-learn, {@code scripts/peers/score_batch.py}) and the
 * command a ridescore user types ({@code scripts/ridescore score --mode batch ...}) run one after
 * the other on the same rides with the same model (the pickled scikit-learn pipeline, and its
 * JPMML-SkLearn export). Both are timed as whole commands, from start to exit; ridescore's time is
 * broken down from the moments its own output lines appear. Then the two answers are compared ride
 * by ride, which also proves both did the same work. Then the same ridescore command with a
 * challenger in shadow ({@code --challenger}, by default a retrained copy of the model: its
 * intercept moved by a minute), for what scoring every ride twice and comparing costs. For the
 * first size also: the first run of a model (nothing in the parsed-model cache yet) and the month
 * backfilled on a running session cluster of the benchmark's own.
 */
final class BenchBatchCommand implements Command {
    private static final YearMonth HISTORY = YearMonth.of(2021, 1);
    static final YearMonth MONTH = YearMonth.of(2021, 3);
    /**
     * The months a session cluster runs before its figure counts: each job's classes are its own, but
     * the libraries the cluster serves are compiled by its TaskManager over the first few (a 65k
     * month: 7.1, 3.7, 2.9, 2.6, 2.5 s, then 1.9-2.4 s, in one run).
     */
    private static final int WARM_UP_MONTHS = 5;

    private static final String PYTHON = "/usr/bin/python3";
    private static final String PEER = "scripts/peers/score_batch.py";

    private static final String PEER_MODEL = "src/test/resources/exporters/sklearn_dictvectorizer_linear.pkl";

    @Override
    public String name() {
        return "bench-batch";
    }

    @Override
    public String summary() {
        return "Benchmark: the whole batch command vs the Python peer (pandas + scikit-learn) on the same month and model.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                ToolOptions.ROWS,
                ToolOptions.ROUNDS,
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.MODEL,
                ToolOptions.PEER_MODEL,
                RideScoreOptions.CHALLENGER,
                RideScoreOptions.PARALLELISM);
    }

    /** One size's figures: whole commands, ridescore's breakdown, and the agreement of the answers. */
    record Result(
            int rows,
            double peerSeconds,
            String peerSteps,
            double ridescoreSeconds,
            double start,
            double checks,
            double deploy,
            double job,
            double after,
            Agreement agreement,
            double challengerSeconds,
            double challengerJob,
            double coldCacheSeconds,
            List<Double> sessionCluster) {
        double ratio() {
            return peerSeconds / ridescoreSeconds;
        }
    }

    record Agreement(
            long both, long exact, double maxAbsDiff, double maxActualDiff, long peerOnly, long ridescoreOnly) {}

    @Override
    public int run(Configuration conf) throws Exception {
        if (conf.getOptional(RideScoreOptions.MODEL).isEmpty()) {
            throw new IllegalArgumentException(
                    "--model must be the PMML export of --peer-model (scripts/bench-batch converts it)");
        }
        String peerModel = conf.getOptional(ToolOptions.PEER_MODEL).orElse(PEER_MODEL);
        if (!Files.exists(java.nio.file.Path.of(PYTHON)) || !Files.exists(java.nio.file.Path.of(peerModel))) {
            throw new IllegalArgumentException("the Python peer needs " + PYTHON + " with scikit-learn and pandas"
                    + " (scripts/bench-setup) and the pickle " + peerModel);
        }
        int rounds = conf.get(ToolOptions.ROUNDS);
        if (rounds < 1 || rounds % 2 == 0) {
            // odd, so that each side's median is one real run, taken by the same rule for both
            throw new IllegalArgumentException("--rounds must be an odd number (1, 3, 5, ...), not " + rounds);
        }
        List<Integer> sizes = conf.getOptional(ToolOptions.ROWS).map(List::of).orElse(List.of(65_000, 1_000_000));
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            System.out.printf("%n[%d/%d] %,d rides%n", i + 1, sizes.size(), sizes.get(i));
            results.add(benchOne(conf, sizes.get(i), i == 0));
        }
        System.out.printf(
                "%nresults (same model: scikit-learn DictVectorizer + LinearRegression, the pickle for the peer,"
                        + " its JPMML-SkLearn export for ridescore; parallelism %d; each the median of %d runs,"
                        + " alternated, the breakdown that of ridescore's median run)%n",
                conf.get(RideScoreOptions.PARALLELISM), conf.get(ToolOptions.ROUNDS));
        System.out.println(
                "| rides | peer whole command | ridescore whole command | ratio (peer / ridescore) | start | checks"
                        + " | cluster + deploy | job | after job | fixed cost (whole - job) | rides both scored | max abs diff |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(
                    "| %,d | %.2f s | %.2f s | %.2fx | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %,d (%,d exact) | %.1e |%n",
                    r.rows(),
                    r.peerSeconds(),
                    r.ridescoreSeconds(),
                    r.ratio(),
                    r.start(),
                    r.checks(),
                    r.deploy(),
                    r.job(),
                    r.after(),
                    r.ridescoreSeconds() - r.job(),
                    r.agreement().both(),
                    r.agreement().exact(),
                    r.agreement().maxAbsDiff());
        }
        System.out.println("\nthe peer's own steps in its median run (it writes its result frame as CSV):");
        for (Result r : results) {
            System.out.printf("  %,d rides: %s%n", r.rows(), r.peerSteps());
        }
        Result first = results.get(0);
        System.out.printf(
                "%nthe table's runs read the parsed model from the cache (--model-cache), as every run after a model's"
                        + " first does; the first run of a new model parses it: %,d rides %.2f s (%+.2f s)%n",
                first.rows(), first.coldCacheSeconds(), first.coldCacheSeconds() - first.ridescoreSeconds());
        List<Double> session = first.sessionCluster();
        List<Double> warm = session.subList(WARM_UP_MONTHS, session.size());
        System.out.printf(
                "%non a session cluster of its own (scripts/cluster), %d backfills in a row: scripts/ridescore backfill"
                        + " --from %s --force --cluster ..., %,d rides, command to exit: %s (the first uploads the jar;"
                        + " a TaskManager compiles the served libraries over the first months); once it has run %d"
                        + " months, median %.2f s (peer %.2f s, ratio %.2fx)%n",
                session.size(),
                MONTH,
                first.rows(),
                session.stream().map(t -> String.format("%.2f", t)).collect(Collectors.joining(", ")),
                WARM_UP_MONTHS,
                median(warm),
                first.peerSeconds(),
                first.peerSeconds() / median(warm));
        System.out.println("\nchallenger in shadow (every ride scored by both models and compared):");
        System.out.println(
                "| rides | whole command | with challenger | job | job with challenger | job rows/s | with challenger |"
                        + " cost (job) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(
                    "| %,d | %.2f s | %.2f s | %.2f s | %.2f s | %,.0f | %,.0f | %+.0f%% |%n",
                    r.rows(),
                    r.ridescoreSeconds(),
                    r.challengerSeconds(),
                    r.job(),
                    r.challengerJob(),
                    r.rows() / r.job(),
                    r.rows() / r.challengerJob(),
                    100 * (r.challengerJob() - r.job()) / r.job());
        }
        return 0;
    }

    /**
     * The challenger the benchmarks score in shadow: --challenger, else a retrained copy of --model
     * (its first intercept moved by a minute), so the cost is that of a second model of the same kind.
     */
    static String challenger(Configuration conf, String dataDir) throws IOException {
        if (conf.getOptional(RideScoreOptions.CHALLENGER).isPresent()) {
            return conf.get(RideScoreOptions.CHALLENGER);
        }
        String pmml = Files.readString(java.nio.file.Path.of(conf.get(RideScoreOptions.MODEL)));
        Matcher intercept = Pattern.compile("intercept=\"([^\"]+)\"").matcher(pmml);
        if (!intercept.find()) {
            throw new IllegalArgumentException("--model has no intercept to retrain; give a --challenger");
        }
        java.nio.file.Path copy = java.nio.file.Path.of(dataDir, "challenger.pmml");
        Files.createDirectories(copy.getParent());
        Files.writeString(
                copy,
                pmml.substring(0, intercept.start(1))
                        + (Double.parseDouble(intercept.group(1)) + 1.0)
                        + pmml.substring(intercept.end(1)));
        return copy.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * The month on a session cluster of the benchmark's own (free ports, its own log directory),
     * backfilled {@code runs} times in a row, each timed (the first uploads the jar); the cluster is
     * stopped whatever happens.
     */
    private static List<Double> onSessionCluster(List<String> backfill, String dataDir, int runs) throws Exception {
        int prometheus = LocalKinesisMock.freePort();
        Map<String, String> env = Map.of(
                "RIDESCORE_CLUSTER_DIR",
                dataDir + "/cluster",
                "RIDESCORE_REST_PORT",
                Integer.toString(LocalKinesisMock.freePort()),
                "RIDESCORE_RPC_PORT",
                Integer.toString(LocalKinesisMock.freePort()),
                "RIDESCORE_PROM_PORTS",
                prometheus + "-" + (prometheus + 4));
        String rest = "http://127.0.0.1:" + env.get("RIDESCORE_REST_PORT");
        List<String> command = new ArrayList<>(backfill);
        command.addAll(List.of("--cluster", rest));
        System.out.println("$ scripts/cluster start   (REST " + rest + ")");
        timed(List.of("scripts/cluster", "start"), env, line -> System.out.println("  " + line));
        try {
            List<Double> seconds = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                System.out.println("$ " + String.join(" ", command) + "   (" + i + "/" + runs + ")");
                seconds.add(timed(command, env, line -> System.out.println("  " + line))
                        .seconds());
            }
            return seconds;
        } finally {
            timed(List.of("scripts/cluster", "stop"), env, line -> {});
        }
    }

    private Result benchOne(Configuration conf, int rows, boolean first) throws Exception {
        String dataDir = conf.getOptional(RideScoreOptions.DATA_DIR).orElse("data/bench") + "/" + rows;
        Configuration bench = conf.clone();
        bench.set(RideScoreOptions.DATA_DIR, dataDir);
        bench.set(ToolOptions.ROWS, rows);
        Path input = prepareMonth(bench);
        java.nio.file.Path csv = java.nio.file.Path.of(dataDir, "csv", "green_tripdata_" + MONTH + ".csv");
        if (!Files.exists(csv)) {
            System.out.println("writing the month as CSV for the peer (not timed): " + csv);
            writeCsv(input, csv);
        }

        java.nio.file.Path peerOut = java.nio.file.Path.of(dataDir, "peer", "predictions_" + MONTH + ".csv");
        Files.createDirectories(peerOut.getParent());
        List<String> peerCommand = List.of(
                PYTHON,
                PEER,
                csv.toString(),
                conf.getOptional(ToolOptions.PEER_MODEL).orElse(PEER_MODEL),
                peerOut.toString());

        // The benchmark's own parsed-model cache, filled here: every timed run but the cold one reads it.
        String modelCache =
                java.nio.file.Path.of(dataDir).resolveSibling("model-cache").toString();
        String challenger = challenger(conf, dataDir);
        for (String model : List.of(conf.get(RideScoreOptions.MODEL), challenger)) {
            ModelLoader.load(new ModelSpec(model, null, null, null, null, false, Duration.ZERO, modelCache));
        }
        List<String> options = List.of(
                "--data-dir",
                dataDir,
                "--model",
                conf.get(RideScoreOptions.MODEL),
                "--parallelism",
                Integer.toString(conf.get(RideScoreOptions.PARALLELISM)),
                "--model-cache",
                modelCache);
        List<String> command = new ArrayList<>(List.of("scripts/ridescore", "score", "--mode", "batch", "--month"));
        command.add(MONTH.toString());
        command.addAll(options);
        double coldCache = Double.NaN;
        if (first) {
            java.nio.file.Path empty = Files.createTempDirectory("ridescore-bench-model-cache");
            List<String> cold = new ArrayList<>(command);
            cold.set(cold.indexOf(modelCache), empty.toString());
            System.out.println("$ " + String.join(" ", cold) + "   (first run of a new model: nothing parsed yet)");
            coldCache = timed(cold, Map.of(), line -> System.out.println("  " + line))
                    .seconds();
            try (Stream<java.nio.file.Path> entries = Files.list(empty)) {
                for (java.nio.file.Path entry : entries.toList()) {
                    Files.delete(entry);
                }
            }
            Files.delete(empty);
        }
        // Peer and ridescore alternate, so that both meet the machine's good and bad moments alike.
        int rounds = conf.get(ToolOptions.ROUNDS);
        List<Timed> peerRuns = new ArrayList<>();
        List<Timed> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Consumer<String> echo = round == 1 ? line -> System.out.println("  " + line) : line -> {};
            if (round == 1) {
                System.out.println("$ " + String.join(" ", peerCommand));
            }
            peerRuns.add(timed(peerCommand, Map.of(), echo));
            if (round == 1) {
                System.out.println("$ " + String.join(" ", command));
            }
            runs.add(timed(command, Map.of(), echo));
            System.out.printf(
                    "  round %d/%d: peer %.2f s, ridescore %.2f s%n",
                    round,
                    rounds,
                    peerRuns.get(round - 1).seconds(),
                    runs.get(round - 1).seconds());
        }
        // the median runs (rounds are odd), whose breakdowns are those of one real run each
        Timed peerRun = medianRun(peerRuns);
        Timed run = medianRun(runs);
        Map<String, Double> at = new HashMap<>();
        double job = run.jobSeconds();
        for (String prefix : List.of("Flink web UI", "ridescore batch", "done: job ran")) {
            at.put(prefix, run.firstLineStartingWith(prefix));
        }
        double start = at.get("Flink web UI");
        double checks = at.get("ridescore batch") - start;
        double deploy = at.get("done: job ran") - at.get("ridescore batch") - job;
        double after = run.seconds() - at.get("done: job ran");

        java.nio.file.Path published = java.nio.file.Path.of(
                dataDir,
                "predictions",
                "taxi_type=green",
                "year=" + MONTH.getYear(),
                String.format("month=%02d", MONTH.getMonthValue()));
        Agreement agreement = compare(peerOut, published);
        System.out.printf(
                "agreement: %,d rides scored by both, %,d to the bit, max |diff| %.1e min (their actual durations:"
                        + " max |diff| %.1e min); %,d scored by the peer only"
                        + " (zone pairs the model never saw: scikit-learn scores them without the pair's term, ridescore"
                        + " dead-letters them as model_refused, as the PMML says); %,d by ridescore only%n",
                agreement.both(),
                agreement.exact(),
                agreement.maxAbsDiff(),
                agreement.maxActualDiff(),
                agreement.peerOnly(),
                agreement.ridescoreOnly());
        List<String> shadowed = new ArrayList<>(command);
        shadowed.addAll(List.of("--challenger", challenger));
        System.out.println("$ " + String.join(" ", shadowed));
        Timed withChallenger = timed(shadowed, Map.of(), line -> System.out.println("  " + line));
        List<Double> session = List.of();
        if (first) {
            List<String> backfill = new ArrayList<>(List.of("scripts/ridescore", "backfill", "--from"));
            backfill.add(MONTH.toString());
            backfill.add("--force");
            backfill.addAll(options);
            session = onSessionCluster(backfill, dataDir, WARM_UP_MONTHS + 3);
        }
        return new Result(
                rows,
                peerRun.seconds(),
                peerRun.line("peer: "),
                run.seconds(),
                start,
                checks,
                deploy,
                job,
                after,
                agreement,
                withChallenger.seconds(),
                withChallenger.jobSeconds(),
                coldCache,
                session);
    }

    /**
     * The benchmark's data in the configured data dir: month {@link #MONTH} with --rows rides
     * (generated again when its size differs), and the history month with its feature table.
     */
    static Path prepareMonth(Configuration bench) throws Exception {
        Path input = DatagenCommand.rawFile(bench, MONTH);
        if (!Files.exists(java.nio.file.Path.of(input.getPath()))
                || RowGroupEnumerator.countRows(new Path[] {input}) != bench.get(ToolOptions.ROWS)) {
            Configuration gen = bench.clone();
            gen.set(ToolOptions.MONTHS, MONTH.toString());
            new DatagenCommand().run(gen);
        }
        Configuration history = bench.clone();
        history.set(ToolOptions.MONTHS, HISTORY.toString());
        history.set(ToolOptions.ROWS, TripDataGenerator.DEFAULT_ROWS);
        if (!Files.exists(java.nio.file.Path.of(RideScoreOptions.features(history)))) {
            if (!Files.exists(java.nio.file.Path.of(
                    DatagenCommand.rawFile(history, HISTORY).getPath()))) {
                new DatagenCommand().run(history);
            }
            new FeaturesCommand().run(history);
        }
        return input;
    }

    /** A finished command: its wall time and when (seconds after start) each output line appeared. */
    record Timed(double seconds, List<Map.Entry<String, Double>> lines) {
        /** The job's own run time, from ridescore's {@code done: job ran N s} line. */
        double jobSeconds() {
            String done = "done: job ran ";
            return lines.stream()
                    .map(Map.Entry::getKey)
                    .filter(l -> l.startsWith(done))
                    .map(l -> Double.parseDouble(l.substring(done.length()).split(" ")[0]))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the command printed no '" + done + "' line"));
        }

        /** The text of the first line starting with {@code prefix}, after it. */
        String line(String prefix) {
            return lines.stream()
                    .map(Map.Entry::getKey)
                    .filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalStateException("the command printed no line starting with '" + prefix + "'"));
        }

        double firstLineStartingWith(String prefix) {
            return lines.stream()
                    .filter(l -> l.getKey().startsWith(prefix))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalStateException("the command printed no line starting with '" + prefix + "'"));
        }
    }

    private static Timed medianRun(List<Timed> runs) {
        return runs.stream()
                .sorted(Comparator.comparingDouble(Timed::seconds))
                .toList()
                .get(runs.size() / 2);
    }

    private static Timed timed(List<String> command, Map<String, String> env, Consumer<String> echo)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        List<Map.Entry<String, Double>> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(Map.entry(line, (System.nanoTime() - started) / 1e9));
                echo.accept(line);
            }
        }
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
        }
        return new Timed(seconds, lines);
    }

    /** The month's rides as CSV with the TLC column names, for a peer that cannot read Parquet. */
    private static void writeCsv(Path month, java.nio.file.Path csv) throws IOException {
        Files.createDirectories(csv.getParent());
        try (TlcParquetReader reader = TlcParquetReader.open(month);
                BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("ride_id,lpep_pickup_datetime,lpep_dropoff_datetime,PULocationID,DOLocationID,trip_distance\n");
            RideEvent r;
            while ((r = reader.next()) != null) {
                out.write(r.rideId + "," + time(r.pickupMicros) + "," + time(r.dropoffMicros) + ","
                        + text(r.puLocationId) + "," + text(r.doLocationId) + "," + text(r.tripDistance) + "\n");
            }
        }
    }

    private static String time(Long micros) {
        return micros == null ? "" : RideEventJson.isoLocal(micros).replace('T', ' ');
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static Agreement compare(java.nio.file.Path peerCsv, java.nio.file.Path ridescoreDir) throws IOException {
        // ride id -> the peer's prediction and the actual duration it computed
        Map<String, double[]> peer = new HashMap<>();
        try (Stream<String> lines = Files.lines(peerCsv)) {
            Iterator<String> rows = lines.iterator();
            List<String> header = List.of(rows.next().split(","));
            int id = header.indexOf("ride_id");
            int predicted = header.indexOf("predicted_duration");
            int actual = header.indexOf("actual_duration");
            if (id < 0 || predicted < 0 || actual < 0) {
                throw new IOException(peerCsv + " is not the peer's result frame: its header is " + header);
            }
            while (rows.hasNext()) {
                String[] row = rows.next().split(",", -1);
                peer.put(row[id], new double[] {Double.parseDouble(row[predicted]), Double.parseDouble(row[actual])});
            }
        }
        List<java.nio.file.Path> parts;
        try (Stream<java.nio.file.Path> files = Files.list(ridescoreDir)) {
            parts = files.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .toList();
        }
        long[] counts = new long[3]; // both, exact, ridescore only
        double[] maxDiff = {0, 0}; // predictions, actual durations
        for (java.nio.file.Path part : parts) {
            ParquetFiles.readGroups(new Path(part.toString()), row -> {
                double[] theirs = peer.get(row.getString("ride_id", 0));
                double ours = row.getDouble("predicted_duration", 0);
                if (theirs == null) {
                    counts[2]++;
                    return;
                }
                counts[0]++;
                counts[1] += theirs[0] == ours ? 1 : 0;
                maxDiff[0] = Math.max(maxDiff[0], Math.abs(theirs[0] - ours));
                maxDiff[1] = Math.max(maxDiff[1], Math.abs(theirs[1] - row.getDouble("actual_duration", 0)));
            });
        }
        return new Agreement(counts[0], counts[1], maxDiff[0], maxDiff[1], peer.size() - counts[0], counts[2]);
    }
}
