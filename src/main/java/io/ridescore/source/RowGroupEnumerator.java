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
 * reader idle. Directories are listed one level deep; files starting with '.' or '_' (markers,
 * in-progress files) are skipped, as Hadoop and Spark do.
 */
public class RowGroupEnumerator implements FileEnumerator {

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits) throws IOException {
        List<FileSourceSplit> splits = new ArrayList<>();
        for (FileStatus file : listParquetFiles(paths)) {
            for (BlockMetaData block : rowGroups(file)) {
                splits.add(new FileSourceSplit(
                        file.getPath() + "@" + block.getStartingPos(),
                        file.getPath(),
                        block.getStartingPos(),
                        block.getCompressedSize(),
                        file.getModificationTime(),
                        file.getLen()));
            }
        }
        return splits;
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
