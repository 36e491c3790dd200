package io.ridescore.event;

/** A record as it arrived from a stream, before parsing: the payload text and the arrival time. */
public class RawRecord {
    public String payload;
    public long arrivalMillis;

    public RawRecord() {}

    public RawRecord(String payload, long arrivalMillis) {
        this.payload = payload;
        this.arrivalMillis = arrivalMillis;
    }
}
