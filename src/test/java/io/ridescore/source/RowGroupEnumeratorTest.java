package io.ridescore.source;

import io.ridescore.config.TaxiType;
import io.ridescore.event.RideEvent;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.PrimitiveType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RowGroupEnumeratorTest {
    /** Three row groups of the generator's 4 MB: 125,000, 125,000 and 50,000 rides. */
    private static final int ROWS = 300_000;

    @TempDir
    static java.nio.file.Path dir;

    static Path month;

    @BeforeAll
    static void generate() throws IOException {
        month = new Path(dir.resolve("green_tripdata_2021-05.parquet").toString());
        new TripDataGenerator(3).write(YearMonth.of(2021, 5), ROWS, TaxiType.GREEN, month, n -> {});
    }

    /**
     * With more row groups than readers, each reader's last group is cut into shares, and the
     * splits are handed out largest first: whole groups, then the shares, so the readers' last
     * splits are small. Read in that order, the splits hold every ride once.
     */
    @Test
    void theLastGroupForEachReaderIsCutIntoSharesHandedOutLast() throws IOException {
        List<FileSourceSplit> enumerated =
                new ArrayList<>(new RowGroupEnumerator().enumerateSplits(new Path[] {month}, 2));
        // the first group whole; the second in four shares; the third (50,000 rows) in three of 16,384 or more
        assertThat(enumerated).hasSize(1 + 4 + 3);

        LargestFirstAssigner assigner = new LargestFirstAssigner(enumerated);
        List<FileSourceSplit> handedOut = new ArrayList<>();
        for (var next = assigner.getNext(null); next.isPresent(); next = assigner.getNext("any-host")) {
            handedOut.add(next.get());
        }
        assertThat(handedOut).containsExactlyInAnyOrderElementsOf(enumerated);
        assertThat(handedOut.get(0)).isEqualTo(enumerated.get(0));
        assertThat(handedOut).isSortedAccordingTo((a, b) -> Long.compare(b.length(), a.length()));
        assertThat(assigner.remainingSplits()).isEmpty();

        List<Long> rideIndexes = new ArrayList<>();
        for (FileSourceSplit split : handedOut) {
            TlcParquetReader reader = TlcParquetReader.open(split.path(), split.offset(), split.length());
            List<RideEvent> share = TlcParquetReaderTest.readAll(reader);
            assertThat(share.size()).isGreaterThanOrEqualTo((int) RowGroupEnumerator.MIN_ROWS_PER_SPLIT);
            assertThat(reader.rowsReadPast()).isZero();
            share.forEach(r -> rideIndexes.add(Long.parseLong(r.rideId.substring("2021/05_".length()))));
        }
        assertThat(rideIndexes).hasSize(ROWS).doesNotHaveDuplicates();
        assertThat(rideIndexes.stream().mapToLong(Long::longValue).max()).hasValue(ROWS - 1);
    }

    /** A split given back (a failed reader's) is handed out again, still largest first. */
    @Test
    void splitsGivenBackAreHandedOutAgain() throws IOException {
        List<FileSourceSplit> enumerated =
                new ArrayList<>(new RowGroupEnumerator().enumerateSplits(new Path[] {month}, 2));
        LargestFirstAssigner assigner = new LargestFirstAssigner(enumerated);
        FileSourceSplit first = assigner.getNext(null).orElseThrow();
        FileSourceSplit second = assigner.getNext(null).orElseThrow();
        assigner.addSplits(List.of(first));
        assertThat(assigner.getNext(null)).contains(first);
        assertThat(assigner.remainingSplits()).hasSize(enumerated.size() - 2).doesNotContain(first, second);
    }

    /** Without page indexes a share reads past the rows before it: a last group is then only halved. */
    @Test
    void aGroupWithoutPageIndexesIsCutInTwoAtMost() {
        BlockMetaData withoutIndexes = block(125_000);
        assertThat(RowGroupEnumerator.shares(7, 8, 2, withoutIndexes)).isEqualTo(2);
        assertThat(RowGroupEnumerator.shares(5, 8, 2, withoutIndexes)).isEqualTo(1);
        // fewer groups than readers: a share for each reader, indexes or not
        assertThat(RowGroupEnumerator.shares(0, 1, 3, withoutIndexes)).isEqualTo(3);
        assertThat(RowGroupEnumerator.shares(0, 1, 8, withoutIndexes)).isEqualTo(7);
        // as many groups as readers: each is a last group; one reader has no one to finish with
        assertThat(RowGroupEnumerator.shares(1, 2, 2, withoutIndexes)).isEqualTo(2);
        assertThat(RowGroupEnumerator.shares(0, 1, 1, withoutIndexes)).isEqualTo(1);
        assertThat(RowGroupEnumerator.shares(0, 3, 1, withoutIndexes)).isEqualTo(1);
    }

    private static BlockMetaData block(long rows) {
        BlockMetaData block = new BlockMetaData();
        block.setRowCount(rows);
        block.addColumn(ColumnChunkMetaData.get(
                ColumnPath.get("trip_distance"),
                PrimitiveType.PrimitiveTypeName.DOUBLE,
                CompressionCodecName.SNAPPY,
                Set.of(),
                0,
                0,
                rows,
                rows * 8,
                rows * 8));
        return block;
    }
}
