package io.ridescore.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.InitialPosition;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.run.JobRunner;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streaming benchmark: for each rate, a fresh kinesis-mock, the online job on the local mini
 * cluster, rides put at that rate for a bounded time, and the latency from put to prediction
 * readable on the output stream (p50/p95/p99) with the sustained rate. Beside it, the mock's own
 * ceiling measured the same way with no Flink in the path (put, then read back from the input
 * stream), and with --peer-model the Python peer a user would otherwise run
 * ({@code scripts/peers/lambda_consumer.py}, the zoomcamp Lambda shape) on a fresh mock, the same
 * rides and the same model, whose predictions are compared with ridescore's ride by ride. With
 * --model, the online job again with a challenger in shadow (see {@link BenchBatchCommand#challenger}).
 */
final class BenchStreamCommand implements Command {
    static final ConfigOption<String> RATES = ConfigOptions.key("rates")
            .stringType()
            .defaultValue("100,500,1000,0")
            .withDescription("Events per second per scenario; 0 is flat out.");
    static final ConfigOption<Integer> SECONDS =
            ConfigOptions.key("seconds").intType().defaultValue(15).withDescription("How long each scenario sends.");

    /**
     * Built when a benchmark reads its first answer: every command's class is loaded at every
     * start, and a first mapper (~30 ms of Jackson's setup) would delay a local job's cluster.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** What stands between the put and the stream read back. */
    private enum Path {
        MOCK_ALONE,
        RIDESCORE,
        /** The online job with a challenger in shadow, writing its predictions to a shadow stream. */
        RIDESCORE_WITH_CHALLENGER,
        PEER
    }

    @Override
    public String name() {
        return "bench-stream";
    }

    @Override
    public String summary() {
        return "Benchmark: online mode on a fresh kinesis-mock per rate, put-to-prediction latency and sustained rate.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                RATES,
                SECONDS,
                RideScoreOptions.MODEL,
                ToolOptions.PEER_MODEL,
                RideScoreOptions.CHALLENGER,
                RideScoreOptions.FEATURES,
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.POLL_INTERVAL,
                RideScoreOptions.SINK_BUFFER_TIME,
                RideScoreOptions.BUFFER_TIMEOUT);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        int seconds = conf.get(SECONDS);
        boolean peer = conf.getOptional(ToolOptions.PEER_MODEL).isPresent();
        boolean challenger = conf.getOptional(RideScoreOptions.MODEL).isPresent();
        List<int[]> pairs = knownPairs(conf);
        List<String> rows = new ArrayList<>();
        for (String r : conf.get(RATES).split(",")) {
            int rate = Integer.parseInt(r.trim());
            String label = rate == 0 ? "flat out" : rate + " ev/s";
            System.out.printf("%n== %s for %d s: mock alone%n", label, seconds);
            Result ceiling = scenario(conf, rate, seconds, Path.MOCK_ALONE, pairs);
            System.out.printf("== %s for %d s: through the online job%n", label, seconds);
            Result flink = scenario(conf, rate, seconds, Path.RIDESCORE, pairs);
            String row = String.format(
                    "| %s | %,d | %,d | %,.0f | %s | %s |",
                    label, flink.sent, flink.received, flink.rate(), flink.percentiles(), ceiling.percentiles());
            if (challenger) {
                System.out.printf(
                        "== %s for %d s: through the online job with a challenger in shadow%n", label, seconds);
                Result shadowed = scenario(conf, rate, seconds, Path.RIDESCORE_WITH_CHALLENGER, pairs);
                row += String.format(" %,d | %,.0f | %s |", shadowed.received, shadowed.rate(), shadowed.percentiles());
            }
            if (peer) {
                System.out.printf("== %s for %d s: through the Python peer%n", label, seconds);
                Result python = scenario(conf, rate, seconds, Path.PEER, pairs);
                long same = flink.values.entrySet().stream()
                        .filter(e -> e.getValue().equals(python.values.get(e.getKey())))
                        .count();
                long both = flink.values.keySet().stream()
                        .filter(python.values::containsKey)
                        .count();
                row += String.format(
                        " %,d | %,.0f | %s | %,d of %,d |",
                        python.received, python.rate(), python.percentiles(), same, both);
            }
            rows.add(row);
        }
        System.out.println(
                "\n| rate | sent | predictions | sustained ev/s | put→prediction p50/p95/p99 ms | mock alone p50/p95/p99 ms |"
                        + (challenger
                                ? " with challenger: predictions | sustained ev/s | put→prediction p50/p95/p99 ms |"
                                : "")
                        + (peer
                                ? " peer predictions | peer sustained ev/s | peer put→prediction p50/p95/p99 ms | same prediction |"
                                : ""));
        System.out.println(
                "|---|---|---|---|---|---|" + (challenger ? "---|---|---|" : "") + (peer ? "---|---|---|---|" : ""));
        rows.forEach(System.out::println);
        return 0;
    }

    private record Result(
            long sent,
            long received,
            long firstSendNanos,
            long lastReceiveNanos,
            long[] latenciesMicros,
            Map<String, Double> values) {
        double rate() {
            return received * 1e9 / Math.max(1, lastReceiveNanos - firstSendNanos);
        }

        String percentiles() {
            if (latenciesMicros.length == 0) {
                return "-";
            }
            long[] l = latenciesMicros.clone();
            Arrays.sort(l);
            return String.format("%.0f / %.0f / %.0f", p(l, 0.50), p(l, 0.95), p(l, 0.99));
        }

        private static double p(long[] sorted, double q) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
        }
    }

    /**
     * The zone pairs the model declares (a DictVectorizer's PU_DO categories), so that both ridescore
     * and the peer score every ride; none when the model declares none (then any pair).
     */
    private static List<int[]> knownPairs(Configuration conf) {
        if (conf.getOptional(RideScoreOptions.MODEL).isEmpty()) {
            return List.of();
        }
        var model = ModelLoader.load(new ModelSpec(conf.get(RideScoreOptions.MODEL), null));
        List<int[]> pairs = new ArrayList<>();
        model.pmml().requireDataDictionary().getDataFields().stream()
                .filter(f -> f.requireName().equals("PU_DO"))
                .flatMap(f -> f.getValues().stream())
                .map(v -> v.requireValue().toString().split("_"))
                .forEach(z -> pairs.add(new int[] {Integer.parseInt(z[0]), Integer.parseInt(z[1])}));
        return pairs;
    }

    private Result scenario(Configuration conf, int rate, int seconds, Path path, List<int[]> pairs) throws Exception {
        boolean throughFlink = path == Path.RIDESCORE || path == Path.RIDESCORE_WITH_CHALLENGER;
        try (LocalKinesisMock mock = LocalKinesisMock.start(
                "bench_events:4,bench_predictions:4,bench_dead_letters:1,bench_predictions_shadow:4",
                new File("log/bench-stream-kinesis-mock.log"))) {
            KinesisSettings k = mock.settings("bench");
            JobRunner.Started job = null;
            Process peer = null;
            if (path == Path.PEER) {
                ProcessBuilder pb = new ProcessBuilder(
                                "/usr/bin/python3", "scripts/peers/lambda_consumer.py", Integer.toString(seconds + 30))
                        .redirectErrorStream(true);
                pb.environment()
                        .putAll(Map.of(
                                "KINESIS_ENDPOINT",
                                k.endpoint(),
                                "INPUT_STREAM",
                                k.inputStream(),
                                "OUTPUT_STREAM",
                                k.outputStream(),
                                "MODEL_FILE",
                                conf.get(ToolOptions.PEER_MODEL),
                                "POLL_SECONDS",
                                Double.toString(
                                        conf.get(RideScoreOptions.POLL_INTERVAL).toMillis() / 1000.0)));
                peer = pb.start();
                String first = new BufferedReader(new InputStreamReader(peer.getInputStream())).readLine();
                if (first == null || !first.startsWith("polling")) {
                    throw new IllegalStateException("the Python peer did not start: " + first);
                }
            }
            if (throughFlink) {
                Configuration online = k.applyTo(new Configuration());
                online.set(RideScoreOptions.MODE, Mode.ONLINE);
                online.set(RideScoreOptions.INITIAL_POSITION, InitialPosition.LATEST);
                online.set(RideScoreOptions.WEB_UI_PORT, 0);
                conf.getOptional(RideScoreOptions.FEATURES).ifPresent(f -> online.set(RideScoreOptions.FEATURES, f));
                online.set(RideScoreOptions.DATA_DIR, conf.get(RideScoreOptions.DATA_DIR));
                online.set(RideScoreOptions.POLL_INTERVAL, conf.get(RideScoreOptions.POLL_INTERVAL));
                online.set(RideScoreOptions.SINK_BUFFER_TIME, conf.get(RideScoreOptions.SINK_BUFFER_TIME));
                online.set(RideScoreOptions.BUFFER_TIMEOUT, conf.get(RideScoreOptions.BUFFER_TIMEOUT));
                conf.getOptional(RideScoreOptions.MODEL).ifPresent(m -> online.set(RideScoreOptions.MODEL, m));
                if (path == Path.RIDESCORE_WITH_CHALLENGER) {
                    online.set(
                            RideScoreOptions.CHALLENGER,
                            BenchBatchCommand.challenger(conf, conf.get(RideScoreOptions.DATA_DIR) + "/bench"));
                    online.set(RideScoreOptions.SHADOW_STREAM, "bench_predictions_shadow");
                }
                job = JobRunner.start(online, new PrintStream(new ByteArrayOutputStream()));
                Thread.sleep(8000); // the consumer discovers shards and starts polling at LATEST
            }
            String readFrom = path == Path.MOCK_ALONE ? k.inputStream() : k.outputStream();
            boolean predictions = path != Path.MOCK_ALONE;
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Double> values = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong lastReceive = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            try (KinesisClient client = KinesisStreams.client(k)) {
                Thread reader = new Thread(
                        () -> read(client, readFrom, predictions, sentAt, latencies, values, lastReceive, stop));
                reader.start();
                long first = System.nanoTime();
                long sent = send(client, k.inputStream(), rate, seconds, sentAt, pairs);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (latencies.size() < sent && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                stop.set(true);
                reader.join();
                long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
                Result result = new Result(sent, l.length, first, lastReceive.get(), l, values);
                System.out.printf(
                        "   sent %,d, read back %,d, %,.0f ev/s, p50/p95/p99 %s ms%n",
                        sent, l.length, result.rate(), result.percentiles());
                return result;
            } finally {
                if (job != null) {
                    job.client().cancel().get();
                }
                if (peer != null) {
                    peer.destroy();
                    peer.waitFor();
                }
            }
        }
    }

    /** Puts rides at the rate (batches every 10 ms) or flat out, for the given time; returns how many. */
    private static long send(
            KinesisClient client, String stream, int rate, int seconds, Map<String, Long> sentAt, List<int[]> pairs)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long i = 0;
        while (System.nanoTime() < end) {
            int batch = rate == 0
                    ? 500
                    : (int) Math.max(0, Math.min(500, (System.nanoTime() - start) * rate / 1_000_000_000L - i));
            if (batch == 0) {
                Thread.sleep(5);
                continue;
            }
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            Map<String, Long> stamps = new HashMap<>();
            for (int b = 0; b < batch; b++, i++) {
                String id = "b" + i;
                int[] pair = pairs.isEmpty()
                        ? new int[] {1 + (int) (i % 265), 1 + (int) ((i * 7) % 265)}
                        : pairs.get((int) ((i * 7919) % pairs.size()));
                RideEvent ride = new RideEvent(
                        id, false, pair[0], pair[1], 0.5 + i % 20, 1_614_556_800_000_000L + i * 1_000_000L, null, null);
                entries.add(PutRecordsRequestEntry.builder()
                        .partitionKey(id)
                        .data(SdkBytes.fromUtf8String(RideEventJson.encode(ride)))
                        .build());
                stamps.put(id, 0L);
            }
            long now = System.nanoTime();
            stamps.replaceAll((id, t) -> now);
            sentAt.putAll(stamps);
            client.putRecords(b -> b.streamName(stream).records(entries));
        }
        return i;
    }

    private static void read(
            KinesisClient client,
            String stream,
            boolean predictions,
            Map<String, Long> sentAt,
            List<Long> latencies,
            Map<String, Double> values,
            AtomicLong lastReceive,
            AtomicBoolean stop) {
        KinesisStreams.Reader reader = new KinesisStreams.Reader(client, stream);
        while (!stop.get()) {
            reader.poll(record -> {
                long now = System.nanoTime();
                String id = rideId(record, predictions);
                Long sent = id == null ? null : sentAt.get(id);
                if (sent != null) {
                    latencies.add((now - sent) / 1000);
                    lastReceive.set(now);
                    Double value = predictions ? duration(record) : null;
                    if (value != null) {
                        values.put(id, value);
                    }
                }
            });
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Double duration(String prediction) {
        try {
            return Json.MAPPER
                    .readTree(prediction)
                    .get("prediction")
                    .get("ride_duration")
                    .asDouble();
        } catch (Exception e) {
            return null;
        }
    }

    private static String rideId(String json, boolean prediction) {
        try {
            var node = Json.MAPPER.readTree(json);
            return (prediction ? node.get("prediction") : node).get("ride_id").asText();
        } catch (Exception e) {
            return null;
        }
    }
}
