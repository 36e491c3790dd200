package io.ridescore.event;

import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelRelease;
import io.ridescore.sink.KinesisEntry;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every record type between operators is a Flink POJO: serialized field by field, never by Kryo. */
class PojoSerializationTest {
    @ParameterizedTest
    @ValueSource(
            classes = {
                RawRecord.class,
                RideEvent.class,
                ScoredRide.class,
                DeadLetter.class,
                FeatureVector.class,
                KinesisEntry.class,
                ModelRelease.class
            })
    void serializedAsPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }
}
