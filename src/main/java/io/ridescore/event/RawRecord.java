package io.ridescore.event;

/**
 * A record as it arrived from a stream, before parsing: the payload text, the arrival time and the
 * shard it came from (watermarks are tracked per shard). A payload whose bytes were not UTF-8 holds
 * them escaped ({@code \xNN} for each byte that is not), with {@link #encodingError} saying why.
 */
public class RawRecord {
    public String payload;
    public long arrivalMillis;
    public String shardId;
    /** Null for a payload that was valid UTF-8. */
    public String encodingError;

    public RawRecord() {}

    public RawRecord(String payload, long arrivalMillis, String shardId, String encodingError) {
        this.payload = payload;
        this.arrivalMillis = arrivalMillis;
        this.shardId = shardId;
        this.encodingError = encodingError;
    }
}
