package io.ridescore.features;

import io.ridescore.event.RideEvent;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * A {@link FeatureVector} and its ride written field by field, for the exchange that keys rides by
 * pickup zone ahead of the stream features. Flink's {@code PojoSerializer} reads a field by
 * reflection and first fills every field of a new instance with a default, which made deserializing
 * the rides a third of a month's run with stream features. State keeps the POJO serializer: what a
 * savepoint holds does not change. Nullable fields share one bit mask.
 */
public final class FeatureVectorSerializer extends TypeSerializerSingleton<FeatureVector> {
    public static final FeatureVectorSerializer INSTANCE = new FeatureVectorSerializer();

    private static final long serialVersionUID = 1L;

    private static final int RIDE = 1;
    private static final int PICKUP_HOUR = 1 << 1;
    private static final int PICKUP_DOW = 1 << 2;
    private static final int PU_LOCATION = 1 << 3;
    private static final int DO_LOCATION = 1 << 4;
    private static final int TRIP_DISTANCE = 1 << 5;
    private static final int PICKUP = 1 << 6;
    private static final int DROPOFF = 1 << 7;
    private static final int RIDE_ID_NUMERIC = 1 << 8;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FeatureVector createInstance() {
        return new FeatureVector();
    }

    @Override
    public FeatureVector copy(FeatureVector from) {
        FeatureVector to = new FeatureVector();
        to.ride = from.ride == null ? null : copy(from.ride);
        to.pickupHour = from.pickupHour;
        to.pickupDow = from.pickupDow;
        to.puDoMeanDuration = from.puDoMeanDuration;
        to.puDoTrips = from.puDoTrips;
        to.puDoMeanDistance = from.puDoMeanDistance;
        to.puMeanDuration = from.puMeanDuration;
        to.puTrips = from.puTrips;
        to.doMeanDuration = from.doMeanDuration;
        to.doTrips = from.doTrips;
        to.puPickups15m = from.puPickups15m;
        to.puMeanDistance15m = from.puMeanDistance15m;
        return to;
    }

    private static RideEvent copy(RideEvent from) {
        RideEvent to = new RideEvent(
                from.rideId,
                from.rideIdNumeric,
                from.puLocationId,
                from.doLocationId,
                from.tripDistance,
                from.pickupMicros,
                from.dropoffMicros,
                from.payload);
        to.shardId = from.shardId;
        return to;
    }

    @Override
    public FeatureVector copy(FeatureVector from, FeatureVector reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FeatureVector v, DataOutputView out) throws IOException {
        RideEvent r = v.ride;
        int present = (r != null ? RIDE : 0)
                | (v.pickupHour != null ? PICKUP_HOUR : 0)
                | (v.pickupDow != null ? PICKUP_DOW : 0);
        if (r != null) {
            present |= (r.puLocationId != null ? PU_LOCATION : 0)
                    | (r.doLocationId != null ? DO_LOCATION : 0)
                    | (r.tripDistance != null ? TRIP_DISTANCE : 0)
                    | (r.pickupMicros != null ? PICKUP : 0)
                    | (r.dropoffMicros != null ? DROPOFF : 0)
                    | (r.rideIdNumeric ? RIDE_ID_NUMERIC : 0);
        }
        out.writeShort(present);
        if (r != null) {
            StringValue.writeString(r.rideId, out);
            if (r.puLocationId != null) {
                out.writeInt(r.puLocationId);
            }
            if (r.doLocationId != null) {
                out.writeInt(r.doLocationId);
            }
            if (r.tripDistance != null) {
                out.writeDouble(r.tripDistance);
            }
            if (r.pickupMicros != null) {
                out.writeLong(r.pickupMicros);
            }
            if (r.dropoffMicros != null) {
                out.writeLong(r.dropoffMicros);
            }
            StringValue.writeString(r.payload, out);
            StringValue.writeString(r.shardId, out);
        }
        if (v.pickupHour != null) {
            out.writeInt(v.pickupHour);
        }
        if (v.pickupDow != null) {
            out.writeInt(v.pickupDow);
        }
        out.writeDouble(v.puDoMeanDuration);
        out.writeLong(v.puDoTrips);
        out.writeDouble(v.puDoMeanDistance);
        out.writeDouble(v.puMeanDuration);
        out.writeLong(v.puTrips);
        out.writeDouble(v.doMeanDuration);
        out.writeLong(v.doTrips);
        out.writeLong(v.puPickups15m);
        out.writeDouble(v.puMeanDistance15m);
    }

    @Override
    public FeatureVector deserialize(DataInputView in) throws IOException {
        int present = in.readShort();
        FeatureVector v = new FeatureVector();
        if ((present & RIDE) != 0) {
            RideEvent r = new RideEvent();
            r.rideId = StringValue.readString(in);
            r.rideIdNumeric = (present & RIDE_ID_NUMERIC) != 0;
            r.puLocationId = (present & PU_LOCATION) != 0 ? in.readInt() : null;
            r.doLocationId = (present & DO_LOCATION) != 0 ? in.readInt() : null;
            r.tripDistance = (present & TRIP_DISTANCE) != 0 ? in.readDouble() : null;
            r.pickupMicros = (present & PICKUP) != 0 ? in.readLong() : null;
            r.dropoffMicros = (present & DROPOFF) != 0 ? in.readLong() : null;
            r.payload = StringValue.readString(in);
            r.shardId = StringValue.readString(in);
            v.ride = r;
        }
        v.pickupHour = (present & PICKUP_HOUR) != 0 ? in.readInt() : null;
        v.pickupDow = (present & PICKUP_DOW) != 0 ? in.readInt() : null;
        v.puDoMeanDuration = in.readDouble();
        v.puDoTrips = in.readLong();
        v.puDoMeanDistance = in.readDouble();
        v.puMeanDuration = in.readDouble();
        v.puTrips = in.readLong();
        v.doMeanDuration = in.readDouble();
        v.doTrips = in.readLong();
        v.puPickups15m = in.readLong();
        v.puMeanDistance15m = in.readDouble();
        return v;
    }

    @Override
    public FeatureVector deserialize(FeatureVector reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<FeatureVector> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer; public with a no-argument constructor, as Flink requires. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FeatureVector> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
