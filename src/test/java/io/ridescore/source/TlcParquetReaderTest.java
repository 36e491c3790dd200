package io.ridescore.source;

import io.ridescore.config.TaxiType;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlcParquetReaderTest {
    private static final int ROWS = 6_000;

    @TempDir
    static java.nio.file.Path dir;

    static Path green;

    @BeforeAll
    static void generate() throws IOException {
        green = new Path(dir.resolve("green_tripdata_2021-03.parquet").toString());
        // 64 KiB row groups: several per file, to exercise splitting.
        new TripDataGenerator(7).write(YearMonth.of(2021, 3), ROWS, TaxiType.GREEN, green, n -> {}, 64 << 10);
    }

    /** Every ride the reader gives, in order; the reader is closed after (its counts stay readable). */
    static List<RideEvent> readAll(TlcParquetReader reader) throws IOException {
        List<RideEvent> rides = new ArrayList<>();
        try (reader) {
            RideEvent r;
            while ((r = reader.next()) != null) {
                rides.add(r);
            }
        }
        return rides;
    }

    @Test
    void readsEveryRowWithTheReferenceRideIdAndTheFileValues() throws IOException {
        List<RideEvent> rides = readAll(TlcParquetReader.open(green));
        List<Group> rows = ParquetFiles.readAll(green);
        assertThat(rides).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            RideEvent ride = rides.get(i);
            Group row = rows.get(i);
            assertThat(ride.rideId).isEqualTo("2021/03_" + i);
            assertThat(ride.rideIdNumeric).isFalse();
            assertThat(ride.pickupMicros).isEqualTo(row.getLong("lpep_pickup_datetime", 0));
            assertThat(ride.dropoffMicros).isEqualTo(row.getLong("lpep_dropoff_datetime", 0));
            assertThat(ride.tripDistance).isEqualTo(row.getDouble("trip_distance", 0));
            assertThat(ride.puLocationId).isEqualTo(nullableInt(row, "PULocationID"));
            assertThat(ride.doLocationId).isEqualTo(nullableInt(row, "DOLocationID"));
        }
        assertThat(rides).anyMatch(r -> r.puLocationId == null).anyMatch(r -> r.doLocationId == null);
    }

    @Test
    void rowGroupSplitsTogetherReadExactlyTheFile() throws IOException {
        List<FileSourceSplit> splits = new ArrayList<>(new RowGroupEnumerator().enumerateSplits(new Path[] {green}, 2));
        assertThat(splits).hasSizeGreaterThan(2);
        List<RideEvent> bySplit = new ArrayList<>();
        for (FileSourceSplit split : splits) {
            bySplit.addAll(readAll(TlcParquetReader.open(split.path(), split.offset(), split.length())));
        }
        assertThat(bySplit).containsExactlyElementsOf(readAll(TlcParquetReader.open(green)));
        assertThat(RowGroupEnumerator.countRows(new Path[] {green})).isEqualTo(ROWS);
    }

    @Test
    void aMonthInOneRowGroupIsSharedByTheReadersAndStillReadExactlyOnce() throws IOException {
        // what a TLC month of 65,000 rides is: one row group, which would leave all readers but one idle
        int rows = 3 * (int) RowGroupEnumerator.MIN_ROWS_PER_SPLIT + 100;
        Path single = new Path(dir.resolve("green_tripdata_2021-04.parquet").toString());
        new TripDataGenerator(11).write(YearMonth.of(2021, 4), rows, TaxiType.GREEN, single, n -> {}, 1L << 30);
        List<RideEvent> whole = readAll(TlcParquetReader.open(single));
        assertThat(whole).hasSize(rows);

        for (int readers : new int[] {1, 2, 3, 8}) {
            List<FileSourceSplit> splits =
                    new ArrayList<>(new RowGroupEnumerator().enumerateSplits(new Path[] {single}, readers));
            // never below MIN_ROWS_PER_SPLIT rows a split: 3 at most here
            assertThat(splits).as("%d readers", readers).hasSize(Math.min(readers, 3));
            List<RideEvent> bySplit = new ArrayList<>();
            for (FileSourceSplit split : splits) {
                List<RideEvent> share = readAll(TlcParquetReader.open(split.path(), split.offset(), split.length()));
                assertThat(share.size()).isGreaterThanOrEqualTo(rows / splits.size() - 1);
                bySplit.addAll(share);
            }
            assertThat(bySplit).as("%d readers", readers).containsExactlyElementsOf(whole);
        }
    }

    /**
     * Cut anywhere, the ranges read each ride once, whether the reader uses the file's page
     * indexes (a share inside a group assembles no row before its own) or reads as for a file
     * without them (it reads past the group's rows before its share).
     */
    @Test
    void anyCutOfTheFilesBytesIntoRangesReadsEachRideOnce() throws IOException {
        List<RideEvent> whole = readAll(TlcParquetReader.open(green));
        long length = green.getFileSystem().getFileStatus(green).getLen();
        Random random = new Random(5);
        long readPastWithoutIndexes = 0;
        for (int trial = 0; trial < 20; trial++) {
            // cut points anywhere: between row groups, inside them, in the footer
            TreeSet<Long> cuts = new TreeSet<>(List.of(0L, length));
            for (int i = random.nextInt(12); i > 0; i--) {
                cuts.add(random.nextLong(length));
            }
            List<RideEvent> byRange = new ArrayList<>();
            List<RideEvent> byRangeWithoutIndexes = new ArrayList<>();
            Long from = null;
            for (long to : cuts) {
                if (from != null) {
                    TlcParquetReader indexed = TlcParquetReader.open(green, from, to - from);
                    byRange.addAll(readAll(indexed));
                    assertThat(indexed.rowsReadPast())
                            .as("read past with page indexes")
                            .isZero();
                    TlcParquetReader plain = TlcParquetReader.openWithoutPageIndexes(green, from, to - from);
                    byRangeWithoutIndexes.addAll(readAll(plain));
                    readPastWithoutIndexes += plain.rowsReadPast();
                }
                from = to;
            }
            assertThat(byRange).as("cuts %s", cuts).containsExactlyElementsOf(whole);
            assertThat(byRangeWithoutIndexes).as("cuts %s", cuts).containsExactlyElementsOf(whole);
        }
        assertThat(readPastWithoutIndexes).isPositive();
    }

    @Test
    void yellowFilesAreReadByTheirTpepColumns() throws IOException {
        Path yellow = new Path(dir.resolve("yellow_tripdata_2022-11.parquet").toString());
        new TripDataGenerator(7).write(YearMonth.of(2022, 11), 100, TaxiType.YELLOW, yellow, n -> {});
        List<RideEvent> rides = readAll(TlcParquetReader.open(yellow));
        assertThat(rides).hasSize(100);
        assertThat(rides.get(99).rideId).isEqualTo("2022/11_99");
        assertThat(rides).allMatch(r -> r.pickupMicros != null && r.dropoffMicros != null);
    }

    @Test
    void aParquetFileThatIsNotATripFileIsRefusedByName() throws IOException {
        Path other = new Path(dir.resolve("other.parquet").toString());
        var schema = MessageTypeParser.parseMessageType("message m { required int64 x; }");
        try (var w = ParquetFiles.groupWriter(other, schema, 1 << 20)) {
            var g = new SimpleGroup(schema);
            g.add("x", 1L);
            w.write(g);
        }
        assertThatThrownBy(() -> TlcParquetReader.open(other))
                .hasMessage("other.parquet is not a TLC trip file: no lpep_/tpep_pickup_datetime column");
    }

    @Test
    void rideIdPrefixFollowsThePublishedFileNames() {
        assertThat(TlcParquetReader.rideIdPrefix("green_tripdata_2021-02.parquet"))
                .isEqualTo("2021/02");
        assertThat(TlcParquetReader.rideIdPrefix("yellow_tripdata_2023-12.parquet"))
                .isEqualTo("2023/12");
        assertThat(TlcParquetReader.rideIdPrefix("my_rides.parquet")).isEqualTo("my_rides");
    }

    private static Integer nullableInt(Group row, String field) {
        return row.getFieldRepetitionCount(field) == 0 ? null : (int) row.getLong(field, 0);
    }
}
