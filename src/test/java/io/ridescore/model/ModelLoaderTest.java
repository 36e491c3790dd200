package io.ridescore.model;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class ModelLoaderTest {
    /** The digest kept from the last model hashed answers only for the very same bytes. */
    @Test
    void aKeptDigestAnswersOnlyForTheSameBytes() throws Exception {
        byte[] model = "<PMML version=\"4.4\">a model</PMML>".repeat(1000).getBytes();
        byte[] lastByteChanged = model.clone();
        lastByteChanged[lastByteChanged.length - 1] ^= 1;
        byte[] shorter = Arrays.copyOf(model, model.length - 1);
        byte[] sameAgain = model.clone();

        for (byte[] bytes : new byte[][] {model, sameAgain, lastByteChanged, shorter, model, new byte[0], model}) {
            assertThat(ModelLoader.digest(bytes)).isEqualTo(sha256(bytes));
        }
        // what the next comparison holds is a copy: a caller changing its array changes no digest
        byte[] changedAfter = model.clone();
        changedAfter[1] ^= 1;
        ModelLoader.digest(changedAfter);
        changedAfter[0] ^= 1;
        assertThat(ModelLoader.digest(changedAfter)).isEqualTo(sha256(changedAfter));
        assertThat(ModelLoader.digest(model)).isEqualTo(sha256(model));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
