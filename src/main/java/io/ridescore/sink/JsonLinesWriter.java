package io.ridescore.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * JSON lines, each record written by one generator straight into a buffer over the part file.
 * Flink's row format hands each line to the part file, two system calls per dead letter (a sixth of
 * a month's rides), and a line encoded to a string first is copied twice more; a bulk writer may
 * buffer, and a bounded job's parts are complete when the input ends.
 */
final class JsonLinesWriter<T> implements BulkWriter<T> {
    /**
     * Lines are ended here, not separated by the generator (which would put a space between values);
     * a character beyond the BMP is written as its UTF-8 bytes, as the letter's text has it, not as
     * two escaped surrogates.
     */
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .rootValueSeparator((SerializableString) null)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /** How one record is written as one JSON value. */
    @FunctionalInterface
    interface Encoder<T> extends Serializable {
        void write(T record, JsonGenerator json) throws IOException;
    }

    private final Encoder<T> encoder;
    private final JsonGenerator json;

    private JsonLinesWriter(FSDataOutputStream part, Encoder<T> encoder) throws IOException {
        this.encoder = encoder;
        this.json = JSON.createGenerator(new BufferedOutputStream(part, 1 << 16));
    }

    static <T> BulkWriter.Factory<T> factory(Encoder<T> encoder) {
        return part -> new JsonLinesWriter<>(part, encoder);
    }

    @Override
    public void addElement(T record) throws IOException {
        encoder.write(record, json);
        json.writeRaw('\n');
    }

    @Override
    public void flush() throws IOException {
        json.flush();
    }

    /** Flushes only: the part file's stream belongs to the sink, which closes and commits it. */
    @Override
    public void finish() throws IOException {
        json.flush();
    }
}
