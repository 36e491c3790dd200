package io.ridescore.event;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parquet files written and read outside a Flink job (generated months, feature tables), through
 * Flink's file systems rather than Hadoop's, so no {@code .crc} files appear and any Flink-supported
 * scheme works.
 */
public final class ParquetFiles {
    private ParquetFiles() {}

    public static ParquetWriter<Group> groupWriter(Path path, MessageType schema, long rowGroupBytes)
            throws IOException {
        return ExampleParquetWriter.builder(outputFile(path))
                .withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withRowGroupSize(rowGroupBytes)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build();
    }

    /** Every row of a (small) file, in order. */
    public static void readGroups(Path path, Consumer<Group> rows) throws IOException {
        FileSystem fs = path.getFileSystem();
        long length = fs.getFileStatus(path).getLen();
        try (ParquetFileReader reader = ParquetFileReader.open(new ParquetInputFile(fs.open(path), length))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            var materializer =
                    new GroupReadSupport().prepareForRead(null, null, schema, new ReadSupport.ReadContext(schema));
            var columnIO = new ColumnIOFactory().getColumnIO(schema);
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                var records = columnIO.getRecordReader(pages, materializer);
                for (long i = 0; i < pages.getRowCount(); i++) {
                    rows.accept(records.read());
                }
            }
        }
    }

    public static List<Group> readAll(Path path) throws IOException {
        List<Group> rows = new ArrayList<>();
        readGroups(path, rows::add);
        return rows;
    }

    public static OutputFile outputFile(Path path) {
        return new OutputFile() {
            @Override
            public PositionOutputStream create(long blockSizeHint) throws IOException {
                return createOrOverwrite(blockSizeHint);
            }

            @Override
            public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
                FileSystem fs = path.getFileSystem();
                Path parent = path.getParent();
                if (parent != null) {
                    fs.mkdirs(parent);
                }
                return positionStream(fs.create(path, FileSystem.WriteMode.OVERWRITE));
            }

            @Override
            public boolean supportsBlockSize() {
                return false;
            }

            @Override
            public long defaultBlockSize() {
                return 0;
            }
        };
    }

    public static PositionOutputStream positionStream(FSDataOutputStream out) {
        return new PositionOutputStream() {
            @Override
            public long getPos() throws IOException {
                return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
