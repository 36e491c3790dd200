package io.ridescore.sink;

import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;

import java.nio.charset.StandardCharsets;

/**
 * Dead letters as Kinesis records. Whatever the refused record held, its letter fits: the payload
 * is cut and well-formed ({@link DeadLetterJson}), and the partition key is the ride id only when
 * that is a valid key, else a hash of the payload.
 */
public final class DeadLetterRecords {
    private DeadLetterRecords() {}

    public static KinesisEntry of(DeadLetter letter) {
        String key = KinesisEntry.keyViolation(letter.rideId) == null
                ? letter.rideId
                : Integer.toHexString(String.valueOf(letter.payload).hashCode());
        return new KinesisEntry(
                DeadLetterJson.encode(letter).getBytes(StandardCharsets.UTF_8),
                key,
                CountRecords.DEAD_LETTERED_PREFIX + letter.reason,
                letter.rideId);
    }
}
