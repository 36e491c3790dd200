package io.ridescore.source;

import io.ridescore.event.RideEvent;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigInteger;
import java.time.YearMonth;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Reads the rides of one TLC Parquet file, or of a byte range of it (a split): of each row group the
 * range covers, the share of its rows that the covered share of its bytes gives (see {@link #rowAt}),
 * so ranges that partition a file partition its rides, whether they cut between row groups or
 * inside one. Each ride gets the deterministic id of the reference homework,
 * {@code YYYY/MM_<row index in file>}, so any split of any re-run names a ride the same way.
 */
public final class TlcParquetReader implements Closeable {
    private static final Pattern TLC_NAME =
            Pattern.compile("(?:green|yellow|fhv|fhvhv)_tripdata_(\\d{4}-\\d{2})\\.parquet");

    private final ParquetFileReader reader;
    private final MessageColumnIO columnIO;
    private final TlcRowMaterializer materializer;
    private final List<BlockMetaData> blocks;
    private final long rangeStart;
    private final long rangeEnd;
    /** The ride ids' common start, separator included: {@code 2021/02_}. */
    private final String idPrefix;

    private final TlcColumns columns;

    private int nextBlock;
    private long firstRowOfNextBlock;
    private long rowIndex;
    private long rowsLeftInGroup;
    private RecordReader<RideEvent> records;
    private boolean pageIndexes;
    private long rowsReadPast;

    private TlcParquetReader(Path path, long rangeStart, long rangeEnd, boolean pageIndexes) throws IOException {
        FileSystem fs = path.getFileSystem();
        long length = fs.getFileStatus(path).getLen();
        FSDataInputStream in = fs.open(path);
        try {
            this.reader = ParquetFileReader.open(new ParquetInputFile(in, length));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw new IOException(path + " is not a readable Parquet file: " + e.getMessage(), e);
        }
        MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
        this.columns = TlcColumns.detect(fileSchema, path.getName());
        reader.setRequestedSchema(columns.projection());
        this.columnIO = new ColumnIOFactory().getColumnIO(columns.projection(), fileSchema);
        this.materializer = new TlcRowMaterializer(columns);
        this.blocks = reader.getRowGroups();
        this.rangeStart = rangeStart;
        this.rangeEnd = rangeEnd;
        this.idPrefix = rideIdPrefix(path.getName()) + "_";
        this.pageIndexes = pageIndexes;
    }

    public static TlcParquetReader open(Path path) throws IOException {
        return new TlcParquetReader(path, 0, Long.MAX_VALUE, true);
    }

    /** Only the rows of the byte range {@code [start, start + length)}. */
    public static TlcParquetReader open(Path path, long start, long length) throws IOException {
        return new TlcParquetReader(path, start, start + length, true);
    }

    /** The same, reading as for a file without page indexes (tests hold both ways to the file). */
    static TlcParquetReader openWithoutPageIndexes(Path path, long start, long length) throws IOException {
        return new TlcParquetReader(path, start, start + length, false);
    }

    /** {@code 2021/02} for {@code green_tripdata_2021-02.parquet}; the bare file name for other names. */
    public static String rideIdPrefix(String fileName) {
        Matcher m = TLC_NAME.matcher(fileName);
        if (m.matches()) {
            YearMonth month = YearMonth.parse(m.group(1));
            return String.format("%04d/%02d", month.getYear(), month.getMonthValue());
        }
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    public TlcColumns columns() {
        return columns;
    }

    /** The next ride, or null at the end of the range. */
    public RideEvent next() throws IOException {
        while (rowsLeftInGroup == 0) {
            if (!advanceToNextGroupInRange()) {
                return null;
            }
        }
        RideEvent ride = records.read();
        ride.rideId = idPrefix + rowIndex;
        rowIndex++;
        rowsLeftInGroup--;
        return ride;
    }

    /** Skips rides already emitted before a restore; stops early at the end of the range. */
    public void skip(long rides) throws IOException {
        for (long i = 0; i < rides; i++) {
            if (next() == null) {
                return;
            }
        }
    }

    private boolean advanceToNextGroupInRange() throws IOException {
        while (nextBlock < blocks.size()) {
            int index = nextBlock++;
            BlockMetaData block = blocks.get(index);
            long firstRow = firstRowOfNextBlock;
            firstRowOfNextBlock += block.getRowCount();
            long from = rowAt(block, rangeStart);
            long to = rowAt(block, rangeEnd);
            if (from < to) {
                records = rowsOf(index, block, from, to);
                rowIndex = firstRow + from;
                rowsLeftInGroup = to - from;
                return true;
            }
        }
        return false;
    }

    /**
     * A reader of the group's rows {@code [from, to)}. Where the file has page indexes (parquet-mr
     * writes them), only the pages holding those rows are read, and the rows before {@code from}
     * in the first of them are skipped value by value, not assembled; where it has none (pyarrow
     * leaves them out by default), the group is read from its first row and the rows before the
     * share are read past, as Parquet cannot seek to a row otherwise.
     */
    private RecordReader<RideEvent> rowsOf(int index, BlockMetaData block, long from, long to) throws IOException {
        if (pageIndexes && (from > 0 || to < block.getRowCount())) {
            try {
                PageReadStore pages = reader.readFilteredRowGroup(index, rows(from, to, block.getRowCount()));
                return columnIO.getRecordReader(pages, materializer, FilterCompat.NOOP);
            } catch (ColumnIndexStore.MissingOffsetIndexException noPageIndex) {
                pageIndexes = false;
            }
        }
        RecordReader<RideEvent> group = columnIO.getRecordReader(reader.readRowGroup(index), materializer);
        for (long i = 0; i < from; i++) {
            group.read();
        }
        rowsReadPast += from;
        return group;
    }

    /** Rows {@code [from, to)} of a group, as Parquet's page filtering takes them. */
    static RowRanges rows(long from, long to, long groupRows) {
        // Row ranges are made from pages: one page that spans exactly these rows makes this one.
        OffsetIndex span = new OffsetIndex() {
            @Override
            public int getPageCount() {
                return 1;
            }

            @Override
            public long getOffset(int page) {
                return 0;
            }

            @Override
            public int getCompressedPageSize(int page) {
                return 0;
            }

            @Override
            public long getFirstRowIndex(int page) {
                return from;
            }

            @Override
            public long getLastRowIndex(int page, long rowCount) {
                return to - 1;
            }
        };
        return RowRanges.create(groupRows, IntStream.of(0).iterator(), span);
    }

    /** Rows assembled only to be dropped before a share's first row: none where the file has page indexes. */
    long rowsReadPast() {
        return rowsReadPast;
    }

    /**
     * The row of a row group that byte {@code position} falls on, in proportion to the group's
     * bytes: 0 at or before its first byte, all its rows at or after its end. A range owns the rows
     * from its start's row to its end's, so ranges that share a boundary never share a row, and a
     * range holding a whole group reads all of it (a group of no bytes goes to the range holding
     * its start, as a whole).
     */
    static long rowAt(BlockMetaData block, long position) {
        long start = block.getStartingPos();
        long bytes = block.getCompressedSize();
        if (position <= start) {
            return 0;
        }
        if (position >= start + bytes) {
            return block.getRowCount();
        }
        return BigInteger.valueOf(position - start)
                .multiply(BigInteger.valueOf(block.getRowCount()))
                .divide(BigInteger.valueOf(bytes))
                .longValueExact();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
