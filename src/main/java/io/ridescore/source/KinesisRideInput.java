package io.ridescore.source;

import io.ridescore.config.KinesisSettings;
import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEventParser;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;

/** Ride events as JSON records on a Kinesis stream. */
public final class KinesisRideInput implements RideInput {
    private final KinesisSettings kinesis;
    private final RideEventParser.PickupRange pickupRange;

    public KinesisRideInput(KinesisSettings kinesis, RideEventParser.PickupRange pickupRange) {
        this.kinesis = kinesis;
        this.pickupRange = pickupRange;
    }

    @Override
    public long check() {
        KinesisStreams.requireActive(kinesis, kinesis.inputStream());
        return -1;
    }

    /**
     * The connector's legacy consumer: its polling reader is what kinesis-mock serves, and it has
     * run here on Flink 1.20 with checkpoints. Records arrive unparsed, so none can fail the source.
     */
    @Override
    public Rides read(StreamExecutionEnvironment env) {
        FlinkKinesisConsumer<RawRecord> consumer =
                new FlinkKinesisConsumer<>(kinesis.inputStream(), new RawRecordSchema(), kinesis.consumerProperties());
        return RideInput.parsed(env.addSource(consumer, "kinesis-source").uid("kinesis-source"), pickupRange);
    }

    @Override
    public boolean carriesActuals() {
        return false;
    }

    @Override
    public String describe() {
        return kinesis.inputStream();
    }
}
