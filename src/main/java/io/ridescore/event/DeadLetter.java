package io.ridescore.event;

import java.util.Locale;
import java.util.Objects;

/**
 * A record the topology refused: the original payload untouched, the stage that refused it, a
 * stable reason code (what the run summary counts by) and a human-readable detail.
 */
public class DeadLetter {
    public String stage;
    public String reason;
    public String detail;
    public String payload;
    /** Null when the ride id could not be read. */
    public String rideId;

    public long timeMillis;
    /** The payload's bytes were not UTF-8: it holds them escaped ({@code \xNN}), not as they came. */
    public boolean payloadEscaped;

    public DeadLetter() {}

    public DeadLetter(Stage stage, String reason, String detail, String payload, String rideId, long timeMillis) {
        this.stage = stage.label();
        this.reason = reason;
        this.detail = detail;
        this.payload = payload;
        this.rideId = rideId;
        this.timeMillis = timeMillis;
    }

    /** Batch rows have no payload text of their own: they are rendered in the event contract. */
    public static DeadLetter of(Stage stage, String reason, String detail, RideEvent ride) {
        String payload = ride.payload != null ? ride.payload : RideEventJson.encode(ride);
        return new DeadLetter(stage, reason, detail, payload, ride.rideId, System.currentTimeMillis());
    }

    /** The stages that may refuse a record, as named in the dead-letter contract. */
    public enum Stage {
        PARSE,
        VALIDATE,
        FEATURES,
        SCORE,
        SINK;

        /** Made once: every letter carries its stage's label (a sixth of a batch month's rides). */
        private final String label = name().toLowerCase(Locale.ROOT);

        public String label() {
            return label;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return timeMillis == that.timeMillis
                && payloadEscaped == that.payloadEscaped
                && Objects.equals(stage, that.stage)
                && Objects.equals(reason, that.reason)
                && Objects.equals(detail, that.detail)
                && Objects.equals(payload, that.payload)
                && Objects.equals(rideId, that.rideId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, reason, rideId);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + stage + "/" + reason + ": " + detail + ", ride=" + rideId + '}';
    }
}
