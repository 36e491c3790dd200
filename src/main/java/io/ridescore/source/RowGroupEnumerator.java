package io.ridescore.source;

import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * One split per Parquet row group, so that one month file is read by several readers at once.
 * File systems report a local file as one block, so block-based splitting would leave all but one
 * reader idle. Groups are cut into byte ranges that {@link TlcParquetReader} reads as shares of
 * their rows, at least {@link #MIN_ROWS_PER_SPLIT} each: with fewer row groups than readers (a TLC
 * month of 65,000 rides is one row group), each group into as many shares as it takes to give
 * every reader one; with as many or more, the last group for each reader into {@link #TAIL_SHARES}
 * shares, so that the splits handed out last ({@link LargestFirstAssigner}) are small and the
 * readers finish together (whole groups left one reader idle for up to a group's time at the end of
 * a month, and a file's last group is mostly smaller than the others).
 * Directories are listed one level deep; files starting with '.' or '_' (markers, in-progress
 * files) are skipped, as Hadoop and Spark do.
 */
public class RowGroupEnumerator implements FileEnumerator {
    /** Below this a reader would spend more on its start than on its rows. */
    static final long MIN_ROWS_PER_SPLIT = 16_384;

    /**
     * Shares of each last group, where the file has page indexes (a share then reads only its own
     * pages). Without them a share reads past the rows before it, so a group is cut in two only.
     */
    static final int TAIL_SHARES = 4;

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits) throws IOException {
        List<Group> groups = new ArrayList<>();
        for (FileStatus file : listParquetFiles(paths)) {
            for (BlockMetaData block : rowGroups(file)) {
                groups.add(new Group(file, block));
            }
        }
        int count = groups.size();
        List<FileSourceSplit> splits = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            Group group = groups.get(g);
            BlockMetaData block = group.block();
            int n = shares(g, count, minDesiredSplits, block);
            long start = block.getStartingPos();
            long bytes = block.getCompressedSize();
            FileStatus file = group.file();
            for (int i = 0; i < n; i++) {
                long from = start + bytes * i / n;
                long to = start + bytes * (i + 1) / n;
                splits.add(new FileSourceSplit(
                        file.getPath() + "@" + from,
                        file.getPath(),
                        from,
                        to - from,
                        file.getModificationTime(),
                        file.getLen()));
            }
        }
        return splits;
    }

    private record Group(FileStatus file, BlockMetaData block) {}

    /** How many splits group {@code g} of {@code count} becomes for {@code readers} readers. */
    static int shares(int g, int count, int readers, BlockMetaData block) {
        int parts;
        if (count < readers) {
            parts = (readers + count - 1) / count;
        } else if (readers > 1 && g >= count - readers) {
            parts = hasPageIndexes(block) ? TAIL_SHARES : 2;
        } else {
            parts = 1;
        }
        return (int) Math.max(1, Math.min(parts, block.getRowCount() / MIN_ROWS_PER_SPLIT));
    }

    private static boolean hasPageIndexes(BlockMetaData block) {
        return block.getColumns().stream().allMatch(column -> column.getOffsetIndexReference() != null);
    }

    /** The Parquet files named by the paths, sorted, so every run enumerates the same splits. */
    public static List<FileStatus> listParquetFiles(Path[] paths) throws IOException {
        List<FileStatus> files = new ArrayList<>();
        for (Path path : paths) {
            FileSystem fs = path.getFileSystem();
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDir()) {
                files.add(status);
                continue;
            }
            FileStatus[] children = fs.listStatus(path);
            Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
            for (FileStatus child : children) {
                String name = child.getPath().getName();
                if (!child.isDir() && name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith("_")) {
                    files.add(child);
                }
            }
        }
        return files;
    }

    /**
     * Total rows of the files, from their footers: the denominator of the progress line. Each
     * file's schema is checked on the way, so a file that is not a TLC trip file fails here, in one
     * line naming it, and not inside the job.
     */
    public static long countRows(Path[] paths) throws IOException {
        long rows = 0;
        for (FileStatus file : listParquetFiles(paths)) {
            try (ParquetFileReader reader = open(file)) {
                TlcColumns.detect(
                        reader.getFileMetaData().getSchema(), file.getPath().getPath());
                for (BlockMetaData block : reader.getRowGroups()) {
                    rows += block.getRowCount();
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return rows;
    }

    private static List<BlockMetaData> rowGroups(FileStatus file) throws IOException {
        try (ParquetFileReader reader = open(file)) {
            return reader.getRowGroups();
        }
    }

    private static ParquetFileReader open(FileStatus file) throws IOException {
        FileSystem fs = file.getPath().getFileSystem();
        try {
            return ParquetFileReader.open(new ParquetInputFile(fs.open(file.getPath()), file.getLen()));
        } catch (RuntimeException e) {
            throw new IOException(file.getPath() + " is not a readable Parquet file: " + e.getMessage(), e);
        }
    }
}
