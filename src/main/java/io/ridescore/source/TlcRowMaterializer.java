package io.ridescore.source;

import io.ridescore.event.RideEvent;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds {@link RideEvent}s straight from Parquet column values, with no intermediate row object:
 * this is the hot path of batch mode. A null cell never calls its converter, so every row starts
 * from nulls.
 */
final class TlcRowMaterializer extends RecordMaterializer<RideEvent> {
    private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private RideEvent current;
    private final GroupConverter root;

    TlcRowMaterializer(TlcColumns columns) {
        MessageType schema = columns.projection();
        Converter[] converters = new Converter[schema.getFieldCount()];
        for (int i = 0; i < converters.length; i++) {
            String name = schema.getFieldName(i);
            PrimitiveType type = schema.getType(i).asPrimitiveType();
            if (name.equals(columns.pickup())) {
                converters[i] = new TimestampConverter(type, true);
            } else if (name.equals(columns.dropoff())) {
                converters[i] = new TimestampConverter(type, false);
            } else if (name.equals(columns.puLocation())) {
                converters[i] = new NumberConverter(v -> current.puLocationId = toZone(v));
            } else if (name.equals(columns.doLocation())) {
                converters[i] = new NumberConverter(v -> current.doLocationId = toZone(v));
            } else {
                converters[i] = new NumberConverter(v -> current.tripDistance = v);
            }
        }
        root = new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return converters[fieldIndex];
            }

            @Override
            public void start() {
                current = new RideEvent();
            }

            @Override
            public void end() {}
        };
    }

    @Override
    public RideEvent getCurrentRecord() {
        return current;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    /** Location ids are integers; a fractional or huge value is kept out of range so validation refuses it. */
    private static Integer toZone(double v) {
        return v == Math.rint(v) && Math.abs(v) < Integer.MAX_VALUE ? (int) v : Integer.MIN_VALUE;
    }

    private interface DoubleSink {
        void accept(double value);
    }

    private static final class NumberConverter extends PrimitiveConverter {
        private final DoubleSink sink;

        NumberConverter(DoubleSink sink) {
            this.sink = sink;
        }

        @Override
        public void addDouble(double value) {
            sink.accept(value);
        }

        @Override
        public void addFloat(float value) {
            sink.accept(value);
        }

        @Override
        public void addInt(int value) {
            sink.accept(value);
        }

        @Override
        public void addLong(long value) {
            sink.accept(value);
        }
    }

    private final class TimestampConverter extends PrimitiveConverter {
        private final long microsPerUnit;
        private final boolean pickup;

        TimestampConverter(PrimitiveType type, boolean pickup) {
            this.microsPerUnit = TlcColumns.microsPerUnit(type);
            this.pickup = pickup;
        }

        @Override
        public void addLong(long value) {
            set(microsPerUnit > 0 ? value * microsPerUnit : value / -microsPerUnit);
        }

        /** INT96: 8 bytes nanos of day, then 4 bytes Julian day, little-endian. */
        @Override
        public void addBinary(Binary value) {
            ByteBuffer buf = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long nanosOfDay = buf.getLong();
            long julianDay = buf.getInt();
            set((julianDay - JULIAN_DAY_OF_EPOCH) * MICROS_PER_DAY + nanosOfDay / 1000);
        }

        private void set(long micros) {
            if (pickup) {
                current.pickupMicros = micros;
            } else {
                current.dropoffMicros = micros;
            }
        }
    }
}
