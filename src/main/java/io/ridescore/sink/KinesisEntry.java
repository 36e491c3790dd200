package io.ridescore.sink;

import io.ridescore.event.RideEventParser;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * One record on its way to a Kinesis stream: its bytes, its partition key, the counter it adds to
 * once Kinesis has accepted it ({@code scored}, or {@code dead_lettered.<reason>}), and the ride id
 * for the log and for a dead letter when Kinesis refuses it.
 */
public record KinesisEntry(byte[] data, String partitionKey, String counter, String rideId) implements Serializable {
    /** What PutRecords accepts for one record: the data blob and the partition key together. */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;

    public static final int MAX_PARTITION_KEY_CHARS = 256;

    /** Why PutRecords would refuse this record, or null when it would not. */
    public String violation() {
        String keyViolation = keyViolation(partitionKey);
        if (keyViolation != null) {
            return keyViolation;
        }
        int bytes = data.length + partitionKey.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_RECORD_BYTES) {
            return "record of " + bytes + " bytes exceeds the " + MAX_RECORD_BYTES + " a Kinesis record may hold";
        }
        return null;
    }

    /** Why Kinesis would refuse this partition key (1..256 characters, printable, valid UTF-16), or null. */
    public static String keyViolation(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_PARTITION_KEY_CHARS) {
            return "partition key must be 1.." + MAX_PARTITION_KEY_CHARS + " characters, not "
                    + (key == null ? 0 : key.length());
        }
        String unprintable = RideEventParser.firstUnprintable(key);
        return unprintable == null ? null : "partition key holds " + unprintable;
    }
}
