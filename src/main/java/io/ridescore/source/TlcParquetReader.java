package io.ridescore.source;

import io.ridescore.event.RideEvent;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
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
    private final String idPrefix;
    private final TlcColumns columns;

    private int nextBlock;
    private long firstRowOfNextBlock;
    private long rowIndex;
    private long rowsLeftInGroup;
    private RecordReader<RideEvent> records;

    private TlcParquetReader(Path path, long rangeStart, long rangeEnd) throws IOException {
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
        this.idPrefix = rideIdPrefix(path.getName());
    }

    public static TlcParquetReader open(Path path) throws IOException {
        return new TlcParquetReader(path, 0, Long.MAX_VALUE);
    }

    /** Only the rows of the byte range {@code [start, start + length)}. */
    public static TlcParquetReader open(Path path, long start, long length) throws IOException {
        return new TlcParquetReader(path, start, start + length);
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
        ride.rideId = idPrefix + "_" + rowIndex;
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
            BlockMetaData block = blocks.get(nextBlock++);
            long firstRow = firstRowOfNextBlock;
            firstRowOfNextBlock += block.getRowCount();
            long from = rowAt(block, rangeStart);
            long to = rowAt(block, rangeEnd);
            if (from < to) {
                PageReadStore pages = reader.readNextRowGroup();
                records = columnIO.getRecordReader(pages, materializer);
                // Parquet cannot seek to a row inside a group: the rows before this range's share are read past.
                for (long i = 0; i < from; i++) {
                    records.read();
                }
                rowIndex = firstRow + from;
                rowsLeftInGroup = to - from;
                return true;
            }
            reader.skipNextRowGroup();
        }
        return false;
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
