package io.ridescore.features;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of a stream of {@link FeatureVector}s sent between tasks with {@link FeatureVectorSerializer}. */
public final class FeatureVectorTypeInfo extends TypeInformation<FeatureVector> {
    public static final FeatureVectorTypeInfo INSTANCE = new FeatureVectorTypeInfo();

    private static final long serialVersionUID = 1L;

    private FeatureVectorTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<FeatureVector> getTypeClass() {
        return FeatureVector.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FeatureVector> createSerializer(SerializerConfig config) {
        return FeatureVectorSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<FeatureVector> createSerializer(ExecutionConfig config) {
        return FeatureVectorSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FeatureVector (ridescore serializer)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureVectorTypeInfo;
    }

    @Override
    public int hashCode() {
        return FeatureVectorTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof FeatureVectorTypeInfo;
    }
}
