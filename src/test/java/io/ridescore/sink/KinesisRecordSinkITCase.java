package io.ridescore.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.KinesisSettings;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.ScoredRide;
import io.ridescore.testing.KinesisMock;
import io.ridescore.testing.TestData;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink ends of the online topology against kinesis-mock: records Kinesis refuses for good are
 * dead-lettered once, never retried forever, and do not hold back the records after them.
 */
class KinesisRecordSinkITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @RegisterExtension
    static final KinesisMock KINESIS = new KinesisMock();

    private static KinesisEntry prediction(String key) {
        return new KinesisEntry(
                ("{\"prediction\":{\"key_length\":" + key.length() + "}}").getBytes(StandardCharsets.UTF_8),
                key,
                "scored",
                key);
    }

    /**
     * Entries that got past every check (as if a bug let them through): a 300-character partition key,
     * which Kinesis refuses, and a lone surrogate, which the SDK cannot even send. Both become
     * sink_rejected dead letters; the 40 valid records sent with them all arrive; the job ends.
     */
    @Test
    void recordsKinesisRefusesAreDeadLetteredAndTheRestArrive() throws Exception {
        KinesisSettings k = KINESIS.settings("sink");
        KINESIS.createStreams(k, 1);
        List<KinesisEntry> entries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            entries.add(prediction("a" + i));
        }
        entries.add(prediction("1".repeat(300)));
        entries.add(prediction("\ud800x"));
        for (int i = 0; i < 20; i++) {
            entries.add(prediction("b" + i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(entries).sinkTo(new KinesisRecordSink(k, k.outputStream(), k.deadLetterStream()));
        JobExecutionResult result = env.execute("sink rejections");
        assertThat(result.isJobExecutionResult()).isTrue();

        List<String> delivered = KINESIS.readAll(k.outputStream(), 40, Duration.ofSeconds(30));
        assertThat(delivered).hasSize(40);
        List<String> letters = KINESIS.readAll(k.deadLetterStream(), 2, Duration.ofSeconds(10));
        assertThat(letters).hasSize(2);
        List<String> rejectedIds = new ArrayList<>();
        for (String l : letters) {
            JsonNode letter = JSON.readTree(l);
            assertThat(letter.get("stage").asText()).isEqualTo("sink");
            assertThat(letter.get("reason").asText()).isEqualTo("sink_rejected");
            assertThat(letter.get("detail").asText()).startsWith("Kinesis refused the record: ");
            rejectedIds.add(letter.get("ride_id").asText());
        }
        assertThat(rejectedIds).containsExactlyInAnyOrder("1".repeat(300), "\ufffdx");
    }

    @Test
    void aPredictionKinesisWouldRefuseIsDeadLetteredBeforeTheSink() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new PredictionRecords(CountRecords.SCORED)))) {
            harness.open();
            for (String id : List.of("156", "1".repeat(300), "", "x".repeat(256))) {
                RideEvent ride = new RideEvent(id, false, 1, 2, 3.0, 0L, null, null);
                harness.processElement(new StreamRecord<>(new ScoredRide(ride, 12.0, "m", "v")));
            }
            assertThat(harness.extractOutputValues())
                    .extracting(KinesisEntry::partitionKey)
                    .containsExactly("156", "x".repeat(256));
            List<DeadLetter> letters = harness.getSideOutput(PredictionRecords.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue)
                    .toList();
            assertThat(letters).extracting(l -> l.reason).containsExactly("sink_rejected", "sink_rejected");
            assertThat(letters)
                    .extracting(l -> l.detail)
                    .containsExactly(
                            "Kinesis would refuse this prediction: partition key must be 1..256 characters, not 300",
                            "Kinesis would refuse this prediction: partition key must be 1..256 characters, not 0");
        }
    }

    @Test
    void entriesSurviveACheckpointByteForByte() throws Exception {
        var serializer = new KinesisRecordSink.EntrySerializer();
        var state = new BufferedRequestState<>(List.of(
                new RequestEntryWrapper<>(
                        new KinesisEntry(new byte[] {1, 2, 3}, "key", "dead_lettered.bad_json", null), 3),
                new RequestEntryWrapper<>(prediction("\ud83d\ude95"), 30)));
        var restored = serializer
                .deserialize(serializer.getVersion(), serializer.serialize(state))
                .getBufferedRequestEntries();
        assertThat(restored).hasSize(2);
        assertThat(restored.get(0).getRequestEntry().data()).containsExactly(1, 2, 3);
        assertThat(restored.get(0).getRequestEntry().rideId()).isNull();
        assertThat(restored.get(0).getRequestEntry().counter()).isEqualTo("dead_lettered.bad_json");
        assertThat(restored.get(1).getRequestEntry().partitionKey()).isEqualTo("\ud83d\ude95");
    }
}
