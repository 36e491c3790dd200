package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.awscore.exception.AwsServiceException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.exception.SdkException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes batches with PutRecords and sorts every outcome into one of three: accepted (counted),
 * retry later (throttling, 5xx, I/O: exponential backoff with jitter, capped at 5 s), or refused
 * for good (dead-lettered, or the job fails naming the record). A request refused as a whole for a
 * reason that is not transient is split into single records, so one bad record cannot hold back the
 * others. Requests run on a small pool of the project's synchronous client, so each one's outcome
 * is classified in one place.
 */
final class KinesisRecordWriter extends AsyncSinkWriter<KinesisEntry, KinesisEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisRecordWriter.class);
    static final Set<String> TRANSIENT_CODES = Set.of(
            "ProvisionedThroughputExceededException",
            "InternalFailure",
            "ServiceUnavailable",
            "ThrottlingException",
            "KMSThrottlingException",
            "LimitExceededException",
            "RequestExpired");
    private static final long STALL_CHECK_MILLIS = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final String stream;
    private final String deadLetterStream;
    private final KinesisClient client;
    private final ExecutorService requests;
    private final MetricGroup metrics;
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
    private final Counter retries;
    private final Counter rejections;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile String lastError = "none";
    private final ProcessingTimeService timers;
    private long settledAtLastCheck;

    KinesisRecordWriter(
            Sink.InitContext context,
            Collection<BufferedRequestState<KinesisEntry>> state,
            long maxTimeInBufferMillis,
            KinesisSettings kinesis,
            String stream,
            String deadLetterStream) {
        super(
                (entry, ctx) -> entry,
                context,
                AsyncSinkWriterConfiguration.builder()
                        .setMaxBatchSize(KinesisRecordSink.MAX_BATCH_SIZE)
                        .setMaxBatchSizeInBytes(5L * 1024 * 1024)
                        .setMaxInFlightRequests(KinesisRecordSink.MAX_IN_FLIGHT_REQUESTS)
                        .setMaxBufferedRequests(10_000)
                        .setMaxTimeInBufferMS(maxTimeInBufferMillis)
                        .setMaxRecordSizeInBytes(KinesisEntry.MAX_RECORD_BYTES)
                        .build(),
                state);
        this.stream = stream;
        this.deadLetterStream = deadLetterStream;
        this.client = KinesisStreams.client(kinesis);
        this.requests = Executors.newFixedThreadPool(KinesisRecordSink.MAX_IN_FLIGHT_REQUESTS, r -> {
            Thread t = new Thread(r, "kinesis-sink-" + stream);
            t.setDaemon(true);
            return t;
        });
        this.metrics = context.metricGroup().addGroup("ridescore");
        this.retries = metrics.counter("sink_retries", new ThreadSafeSimpleCounter());
        this.rejections = metrics.counter("sink_rejections", new ThreadSafeSimpleCounter());
        metrics.gauge("sink_pending", () -> written.get() - settled.get());
        state.forEach(s -> written.addAndGet(s.getBufferedRequestEntries().size()));
        this.timers = context.getProcessingTimeService();
        timers.registerTimer(timers.getCurrentProcessingTime() + STALL_CHECK_MILLIS, this::checkProgress);
    }

    @Override
    public void write(KinesisEntry entry, Context context) throws IOException, InterruptedException {
        written.incrementAndGet();
        super.write(entry, context);
    }

    @Override
    protected void submitRequestEntries(List<KinesisEntry> entries, ResultHandler<KinesisEntry> result) {
        requests.execute(() -> {
            try {
                List<KinesisEntry> again = put(entries, true);
                if (again.isEmpty()) {
                    failuresInARow.set(0);
                    result.complete();
                } else {
                    retries.inc(again.size());
                    backOff();
                    result.retryForEntries(again);
                }
            } catch (RuntimeException fatal) {
                result.completeExceptionally(fatal);
            }
        });
    }

    /** Puts the entries; returns those to try again. May split a refused request into single records. */
    private List<KinesisEntry> put(List<KinesisEntry> entries, boolean mayIsolate) {
        List<PutRecordsRequestEntry> request = new ArrayList<>(entries.size());
        for (KinesisEntry e : entries) {
            request.add(PutRecordsRequestEntry.builder()
                    .data(SdkBytes.fromByteArrayUnsafe(e.data()))
                    .partitionKey(e.partitionKey())
                    .build());
        }
        PutRecordsResponse response;
        try {
            response = client.putRecords(b -> b.streamName(stream).records(request));
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("Kinesis stream '" + stream + "' no longer exists: " + e.getMessage(), e);
        } catch (SdkException e) {
            lastError = firstLine(e);
            if (isTransient(e)) {
                return entries;
            }
            if (mayIsolate && entries.size() > 1) {
                LOG.warn(
                        "Kinesis refused a request of {} records to '{}' ({}); sending them one by one to find the bad one",
                        entries.size(),
                        stream,
                        lastError);
                List<KinesisEntry> again = new ArrayList<>();
                for (KinesisEntry e1 : entries) {
                    again.addAll(put(List.of(e1), false));
                }
                return again;
            }
            entries.forEach(e1 -> reject(e1, lastError));
            return List.of();
        }
        List<KinesisEntry> again = new ArrayList<>();
        List<PutRecordsResultEntry> results = response.records();
        for (int i = 0; i < entries.size(); i++) {
            PutRecordsResultEntry r = results.get(i);
            if (r.errorCode() == null) {
                accept(entries.get(i));
            } else if (TRANSIENT_CODES.contains(r.errorCode())) {
                lastError = r.errorCode() + ": " + r.errorMessage();
                again.add(entries.get(i));
            } else {
                lastError = r.errorCode() + ": " + r.errorMessage();
                reject(entries.get(i), lastError);
            }
        }
        return again;
    }

    private void accept(KinesisEntry entry) {
        accepted.computeIfAbsent(
                        entry.counter(), name -> metrics.counter(name.replace('.', '_'), new ThreadSafeSimpleCounter()))
                .inc();
        settled.incrementAndGet();
    }

    /**
     * A record Kinesis will never take. A prediction becomes a dead letter, written at once; a dead
     * letter that Kinesis refuses has nowhere left to go, so the job fails and says which one; a
     * shadow prediction is dropped (counted in {@code sink_rejections}).
     */
    private void reject(KinesisEntry entry, String error) {
        rejections.inc();
        if (entry.counter().equals(CountRecords.SHADOW)) {
            // A challenger's prediction is not a ride's outcome: the serving path has that.
            LOG.warn(
                    "Kinesis refused the shadow prediction of ride {} on '{}' ({}); dropped",
                    entry.rideId(),
                    stream,
                    error);
            return;
        }
        if (deadLetterStream == null) {
            throw new IllegalStateException("Kinesis refused the dead letter of ride " + entry.rideId() + " on '"
                    + stream + "' (" + error + "); nowhere left to put it");
        }
        LOG.warn(
                "Kinesis refused the record of ride {} on '{}' ({}); dead-lettering it", entry.rideId(), stream, error);
        KinesisEntry letter = DeadLetterRecords.of(new DeadLetter(
                DeadLetter.Stage.SINK,
                "sink_rejected",
                "Kinesis refused the record: " + error,
                new String(entry.data(), StandardCharsets.UTF_8),
                entry.rideId(),
                System.currentTimeMillis()));
        for (int attempt = 1; ; attempt++) {
            try {
                PutRecordsResultEntry r = client.putRecords(b -> b.streamName(deadLetterStream)
                                .records(PutRecordsRequestEntry.builder()
                                        .data(SdkBytes.fromByteArrayUnsafe(letter.data()))
                                        .partitionKey(letter.partitionKey())
                                        .build()))
                        .records()
                        .get(0);
                if (r.errorCode() == null) {
                    accepted.computeIfAbsent(
                                    letter.counter(),
                                    name -> metrics.counter(name.replace('.', '_'), new ThreadSafeSimpleCounter()))
                            .inc();
                    settled.incrementAndGet();
                    return;
                }
                if (!TRANSIENT_CODES.contains(r.errorCode()) || attempt >= 5) {
                    throw new IllegalStateException("the dead letter of ride " + entry.rideId() + " was refused too: "
                            + r.errorCode() + ": " + r.errorMessage());
                }
            } catch (SdkException e) {
                if (!isTransient(e) || attempt >= 5) {
                    throw new IllegalStateException(
                            "the dead letter of ride " + entry.rideId() + " could not be written to '"
                                    + deadLetterStream + "': " + firstLine(e),
                            e);
                }
            }
            sleep(backOffMillis(attempt));
        }
    }

    /** Throttling, 5xx and errors without an answer (connection refused, timeout) pass; anything else is about the request. */
    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException aws) {
            return aws.isThrottlingException()
                    || aws.statusCode() >= 500
                    || aws.awsErrorDetails() != null
                            && TRANSIENT_CODES.contains(aws.awsErrorDetails().errorCode());
        }
        // Only a network failure is transient: the SDK also wraps a request it cannot marshal (e.g. a
        // partition key with a lone surrogate) in an IOException, and that one fails every time.
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.contains("Json") || String.valueOf(t.getMessage()).startsWith("Unable to marshall")) {
                return false;
            }
            if (name.startsWith("java.net.")
                    || t instanceof InterruptedIOException
                    || name.endsWith("NoHttpResponseException")
                    || name.endsWith("ConnectionClosedException")
                    || name.endsWith("TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    private void backOff() {
        sleep(backOffMillis(failuresInARow.incrementAndGet()));
    }

    private static long backOffMillis(int attempt) {
        long cap = Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(attempt - 1, 10));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A sink that takes nothing for a while says so, with how many records wait and the last error. */
    private void checkProgress(long now) {
        long pending = written.get() - settled.get();
        long settledNow = settled.get();
        if (pending > 0 && settledNow == settledAtLastCheck) {
            LOG.warn(
                    "Kinesis sink to '{}': {} records pending and none accepted in the last {} s (last error: {})",
                    stream,
                    pending,
                    STALL_CHECK_MILLIS / 1000,
                    lastError);
        }
        settledAtLastCheck = settledNow;
        timers.registerTimer(now + STALL_CHECK_MILLIS, this::checkProgress);
    }

    @Override
    protected long getSizeInBytes(KinesisEntry entry) {
        return entry.data().length + entry.partitionKey().length();
    }

    @Override
    public void close() {
        requests.shutdownNow();
        client.close();
        super.close();
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e.getClass().getSimpleName() + ": " + m.lines().findFirst().orElse(m);
    }
}
