package io.ridescore.features;

import io.ridescore.Pipeline;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.testing.MemoryRideInput;
import io.ridescore.testing.MemoryRideOutput;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureVectorSerializerTest {
    private static final FeatureVectorSerializer SERIALIZER = FeatureVectorSerializer.INSTANCE;

    private static FeatureVector roundTrip(FeatureVector v) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(v, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        FeatureVector back = SERIALIZER.deserialize(in);
        assertThat(in.available()).as("bytes left unread").isZero();
        return back;
    }

    /** Every declared field, the ride's included, compared by value: equals() leaves some out. */
    private static void assertSameFields(Object actual, Object expected) throws IllegalAccessException {
        for (Field f : expected.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Object want = f.get(expected);
            if (want instanceof RideEvent ride) {
                assertSameFields(f.get(actual), ride);
            } else {
                assertThat(f.get(actual)).as(f.getName()).isEqualTo(want);
            }
        }
    }

    /**
     * Sets every field of a new instance to a value that no default has, by type: a field added to
     * FeatureVector or RideEvent and forgotten by the serializer comes back different.
     */
    private static <T> T everyFieldSet(T instance, int seed) throws IllegalAccessException {
        for (Field f : instance.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> type = f.getType();
            int n = seed + f.getName().length();
            if (type == RideEvent.class) {
                f.set(instance, everyFieldSet(new RideEvent(), seed + 1));
            } else if (type == String.class) {
                f.set(instance, "\"value\" é \u2603 " + f.getName() + n);
            } else if (type == Integer.class || type == int.class) {
                f.set(instance, 100_000 + n);
            } else if (type == Long.class || type == long.class) {
                f.set(instance, 1L << 40 | n);
            } else if (type == Double.class || type == double.class) {
                f.set(instance, n + 0.1);
            } else if (type == Boolean.class || type == boolean.class) {
                f.set(instance, true);
            } else {
                throw new AssertionError("a field of a type this test cannot fill: " + f);
            }
        }
        return instance;
    }

    @Test
    void everyFieldOfAVectorAndItsRideComesBack() throws Exception {
        FeatureVector v = everyFieldSet(new FeatureVector(), 7);

        assertSameFields(roundTrip(v), v);
        assertSameFields(SERIALIZER.copy(v), v);
        assertThat(SERIALIZER.copy(v).ride).isNotSameAs(v.ride);
    }

    @Test
    void emptyVectorsAndRidesFullOfHolesComeBack() throws Exception {
        FeatureVector empty = new FeatureVector();
        assertSameFields(roundTrip(empty), empty);
        assertThat(roundTrip(empty).ride).isNull();

        FeatureVector holes = FeatureVector.of(new RideEvent());
        assertSameFields(roundTrip(holes), holes);
        assertThat(roundTrip(holes).ride.rideId).isNull();
    }

    @Provide
    Arbitrary<FeatureVector> vectors() {
        Arbitrary<RideEvent> rides = Combinators.combine(
                        Arbitraries.strings().injectNull(0.2),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().injectNull(0.2),
                        Arbitraries.integers().injectNull(0.2),
                        Arbitraries.doubles().injectNull(0.2),
                        Arbitraries.longs().injectNull(0.2),
                        Arbitraries.longs().injectNull(0.2),
                        Arbitraries.strings().ofMaxLength(300).injectNull(0.5))
                .as(RideEvent::new);
        return Combinators.combine(
                        rides.injectNull(0.05),
                        Arbitraries.strings().injectNull(0.5),
                        Arbitraries.integers().injectNull(0.2),
                        Arbitraries.integers().injectNull(0.2),
                        Arbitraries.doubles(),
                        Arbitraries.longs(),
                        Arbitraries.doubles())
                .as((ride, shard, hour, dow, duration, trips, distance) -> {
                    if (ride != null) {
                        ride.shardId = shard;
                    }
                    FeatureVector v = new FeatureVector();
                    v.ride = ride;
                    v.pickupHour = hour;
                    v.pickupDow = dow;
                    v.puDoMeanDuration = duration;
                    v.puDoTrips = trips;
                    v.puMeanDistance15m = distance;
                    v.puPickups15m = -trips;
                    return v;
                });
    }

    @Property(tries = 2000)
    void anyVectorComesBackAsItWas(@ForAll("vectors") FeatureVector v) throws Exception {
        assertSameFields(roundTrip(v), v);
    }

    /** Vectors one after another in one buffer, as an exchange sends them: each reads exactly its own bytes. */
    @Test
    void vectorsInARowAreReadBackInOrder() throws Exception {
        List<FeatureVector> sent = new ArrayList<>();
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (int i = 0; i < 50; i++) {
            FeatureVector v = i % 3 == 0 ? FeatureVector.of(new RideEvent()) : everyFieldSet(new FeatureVector(), i);
            sent.add(v);
            SERIALIZER.serialize(v, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        DataOutputSerializer copied = new DataOutputSerializer(64);
        for (FeatureVector v : sent) {
            assertSameFields(SERIALIZER.deserialize(in), v);
        }
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        for (int i = 0; i < sent.size(); i++) {
            SERIALIZER.copy(in, copied);
        }
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    @Test
    void itsSnapshotRestoresItAndAcceptsItsOwnData() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        TypeSerializerSnapshot<FeatureVector> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read.restoreSerializer()).isSameAs(SERIALIZER);
        assertThat(SERIALIZER
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(read)
                        .isCompatibleAsIs())
                .isTrue();
    }

    /**
     * The rides are keyed by pickup zone with this serializer, while the enricher's state keeps the
     * POJO serializer that savepoints were written with.
     */
    @Test
    void theExchangeUsesItAndTheStateDoesNot() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
        conf.set(RideScoreOptions.MODEL, "pmml/ride_duration_stream.pmml");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Pipeline.build(
                env,
                Pipeline.Settings.from(conf),
                new MemoryRideInput(MemoryRideInput.utf8(List.of("{}")), 1, 0, RideScoreOptions.pickupRange(conf)),
                new MemoryRideOutput());
        var graph = env.getStreamGraph();
        TypeSerializer<?> exchanged = graph.getStreamNodes().stream()
                .filter(n -> n.getOperatorName().equals("pickup-time-watermarks"))
                .findFirst()
                .orElseThrow()
                .getTypeSerializerOut();

        assertThat(exchanged).isSameAs(SERIALIZER);
        assertThat(TypeInformation.of(FeatureVector.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(PojoSerializer.class);
    }
}
