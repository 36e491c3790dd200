package io.ridescore.tools;

import io.ridescore.config.KinesisSettings;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.source.KinesisStreams;
import io.ridescore.source.TlcParquetReader;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

import java.io.IOException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sends a month's rides, in file (pickup) order, as ride events with {@code pickup_datetime} to the
 * input stream: at a fixed rate or flat out, with progress, retrying records Kinesis throttles.
 * Dirty rows are sent as they are (a null zone stays null), so the job's dead letters can be checked.
 */
public final class ReplayCommand implements Command {
    static final ConfigOption<Integer> RATE =
            ConfigOptions.key("rate").intType().defaultValue(0).withDescription("Events per second; 0 sends flat out.");
    static final ConfigOption<Boolean> WITH_DROPOFF = ConfigOptions.key("with-dropoff")
            .booleanType()
            .defaultValue(false)
            .withDescription("Send each ride's dropoff_datetime too (a live event cannot know it): a challenger in"
                    + " shadow then compares both models with the actual duration, online as in batch.");
    static final ConfigOption<Integer> LIMIT = ConfigOptions.key("limit")
            .intType()
            .defaultValue(0)
            .withDescription("Send at most this many rides (0: the whole month).");
    private static final int BATCH = 500;
    private static final int MAX_ATTEMPTS = 10;

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String summary() {
        return "Replays a month's rides as ride events (with pickup_datetime) to the Kinesis input stream.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                RideScoreOptions.MONTH,
                RideScoreOptions.INPUT,
                RATE,
                LIMIT,
                WITH_DROPOFF,
                RideScoreOptions.TAXI_TYPE,
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.KINESIS_REGION,
                RideScoreOptions.KINESIS_ENDPOINT,
                RideScoreOptions.INPUT_STREAM);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        if (conf.getOptional(RideScoreOptions.MONTH).isEmpty()
                && conf.getOptional(RideScoreOptions.INPUT).isEmpty()) {
            conf.set(RideScoreOptions.MONTH, YearMonth.of(2021, 2).toString());
        }
        List<Event> events = events(new Path(RideScoreOptions.input(conf)), conf.get(LIMIT), conf.get(WITH_DROPOFF));
        KinesisSettings kinesis = KinesisSettings.from(conf);
        KinesisStreams.requireActive(kinesis, kinesis.inputStream());
        int rate = conf.get(RATE);
        System.out.printf(
                "replaying %,d rides to %s %s%n",
                events.size(), kinesis.inputStream(), rate > 0 ? "at " + rate + " events/s" : "flat out");
        try (KinesisClient client = KinesisStreams.client(kinesis)) {
            long sent = send(client, kinesis.inputStream(), events, rate);
            return sent == events.size() ? 0 : 1;
        }
    }

    /** A ride event and its partition key, the ride id as the contract says. */
    public record Event(String partitionKey, String payload) {}

    /**
     * The rides of a month file as ride-event JSON, without the dropoff an online event cannot
     * know, in pickup order (stable): each shard then carries its rides in pickup order, which is
     * what lets online-stream's per-shard watermarks make no replayed ride late.
     */
    public static List<Event> events(Path file, int limit) throws IOException {
        return events(file, limit, false);
    }

    /** The same, with each ride's dropoff when {@code withDropoff}: for comparing models with the actual duration. */
    public static List<Event> events(Path file, int limit, boolean withDropoff) throws IOException {
        List<RideEvent> rides = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(file)) {
            RideEvent ride;
            while ((ride = reader.next()) != null && (limit <= 0 || rides.size() < limit)) {
                if (!withDropoff) {
                    ride.dropoffMicros = null;
                }
                rides.add(ride);
            }
        }
        rides.sort(Comparator.comparing(
                (RideEvent r) -> r.pickupMicros, Comparator.nullsFirst(Comparator.naturalOrder())));
        List<Event> events = new ArrayList<>(rides.size());
        for (RideEvent r : rides) {
            events.add(new Event(r.rideId, RideEventJson.encode(r)));
        }
        return events;
    }

    /** Puts the events in order, in batches paced to the rate; returns how many were accepted. */
    public static long send(KinesisClient client, String stream, List<Event> events, int rate)
            throws InterruptedException {
        long started = System.nanoTime();
        long lastReport = started;
        long sent = 0;
        for (int from = 0; from < events.size(); ) {
            int batch = rate > 0 ? Math.max(1, Math.min(BATCH, rate / 20)) : BATCH;
            int to = Math.min(events.size(), from + batch);
            if (rate > 0) {
                long due = started + (long) (from * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            }
            sent += putAll(client, stream, events.subList(from, to));
            from = to;
            if (System.nanoTime() - lastReport > 1_000_000_000L || from == events.size()) {
                lastReport = System.nanoTime();
                double seconds = (lastReport - started) / 1e9;
                System.out.printf("  sent %,d / %,d (%.0f events/s)%n", sent, events.size(), sent / seconds);
            }
        }
        return sent;
    }

    private static int putAll(KinesisClient client, String stream, List<Event> events) throws InterruptedException {
        List<PutRecordsRequestEntry> pending = new ArrayList<>();
        for (Event event : events) {
            pending.add(PutRecordsRequestEntry.builder()
                    .data(SdkBytes.fromUtf8String(event.payload()))
                    .partitionKey(event.partitionKey())
                    .build());
        }
        int accepted = 0;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !pending.isEmpty(); attempt++) {
            List<PutRecordsRequestEntry> batch = pending;
            PutRecordsResponse response =
                    client.putRecords(b -> b.streamName(stream).records(batch));
            List<PutRecordsRequestEntry> failed = new ArrayList<>();
            List<PutRecordsResultEntry> results = response.records();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).errorCode() == null) {
                    accepted++;
                } else {
                    failed.add(batch.get(i));
                }
            }
            pending = failed;
            if (!pending.isEmpty()) {
                Thread.sleep(50L * attempt);
            }
        }
        if (!pending.isEmpty()) {
            System.err.printf("  %d events refused by Kinesis after %d attempts%n", pending.size(), MAX_ATTEMPTS);
        }
        return accepted;
    }
}
