package io.ridescore.source;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The five TLC columns the topology reads, found by name in a file's schema. Green files say
 * {@code lpep_*}, yellow files {@code tpep_*}; TLC has also changed column case and physical types
 * over the years, so names match case-insensitively and converters accept any numeric type.
 */
public record TlcColumns(
        String pickup, String dropoff, String puLocation, String doLocation, String distance, MessageType projection) {

    public static final String PU_LOCATION = "PULocationID";
    public static final String DO_LOCATION = "DOLocationID";
    public static final String TRIP_DISTANCE = "trip_distance";

    public static TlcColumns detect(MessageType fileSchema, String fileName) {
        String prefix = fileSchema.getFields().stream()
                .map(Type::getName)
                .filter(n -> n.toLowerCase(Locale.ROOT).endsWith("_pickup_datetime"))
                .map(n -> n.substring(0, n.length() - "_pickup_datetime".length()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        fileName + " is not a TLC trip file: no lpep_/tpep_pickup_datetime column"));
        List<Type> wanted = new ArrayList<>();
        String pickup = require(fileSchema, prefix + "_pickup_datetime", fileName, wanted);
        String dropoff = require(fileSchema, prefix + "_dropoff_datetime", fileName, wanted);
        String pu = require(fileSchema, PU_LOCATION, fileName, wanted);
        String dO = require(fileSchema, DO_LOCATION, fileName, wanted);
        String distance = require(fileSchema, TRIP_DISTANCE, fileName, wanted);
        return new TlcColumns(pickup, dropoff, pu, dO, distance, new MessageType(fileSchema.getName(), wanted));
    }

    /** Microseconds per unit of a timestamp column; INT96 (legacy Spark/Impala) is decoded apart. */
    static long microsPerUnit(PrimitiveType column) {
        if (column.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
            return switch (ts.getUnit()) {
                case MILLIS -> 1000L;
                case MICROS -> 1L;
                case NANOS -> -1000L; // negative: divide
            };
        }
        return 1L;
    }

    private static String require(MessageType schema, String name, String fileName, List<Type> wanted) {
        for (Type field : schema.getFields()) {
            if (field.getName().equalsIgnoreCase(name)) {
                if (!field.isPrimitive()) {
                    throw new IllegalArgumentException(
                            fileName + ": column " + field.getName() + " is not a primitive");
                }
                wanted.add(Types.optional(field.asPrimitiveType().getPrimitiveTypeName())
                        .as(field.getLogicalTypeAnnotation())
                        .named(field.getName())
                        .withId(idOf(field)));
                return field.getName();
            }
        }
        throw new IllegalArgumentException(fileName + " is not a TLC trip file: column " + name + " is missing");
    }

    private static int idOf(Type field) {
        return field.getId() == null ? 0 : field.getId().intValue();
    }
}
