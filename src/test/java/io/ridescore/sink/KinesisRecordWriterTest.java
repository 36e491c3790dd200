package io.ridescore.sink;

import org.apache.flink.kinesis.shaded.software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.exception.SdkClientException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.KinesisException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the sink sorts a failed PutRecords: what Kinesis will take later is retried, what it never
 * will is not. (kinesis-mock cannot be made to throttle or answer 5xx on demand, so the request-level
 * cases are checked on the SDK's own exception types here; the refusal path runs against the mock in
 * {@link KinesisRecordSinkITCase}.)
 */
class KinesisRecordWriterTest {
    private static KinesisException status(int status, String code) {
        return (KinesisException) KinesisException.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build())
                .build();
    }

    @Test
    void throttlingServerErrorsAndBrokenConnectionsAreRetried() {
        assertThat(KinesisRecordWriter.isTransient(ProvisionedThroughputExceededException.builder()
                        .statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ProvisionedThroughputExceededException")
                                .build())
                        .build()))
                .isTrue();
        assertThat(KinesisRecordWriter.isTransient(status(500, "InternalFailure")))
                .isTrue();
        assertThat(KinesisRecordWriter.isTransient(status(503, "ServiceUnavailable")))
                .isTrue();
        assertThat(KinesisRecordWriter.isTransient(status(400, "LimitExceededException")))
                .isTrue();
        assertThat(KinesisRecordWriter.isTransient(SdkClientException.create(
                        "Unable to execute HTTP request", new ConnectException("Connection refused"))))
                .isTrue();
        assertThat(KinesisRecordWriter.isTransient(SdkClientException.create("timeout", new SocketTimeoutException())))
                .isTrue();
    }

    @Test
    void whatKinesisWillNeverTakeIsNotRetried() {
        assertThat(KinesisRecordWriter.isTransient(InvalidArgumentException.builder()
                        .statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("InvalidArgumentException")
                                .build())
                        .build()))
                .isFalse();
        assertThat(KinesisRecordWriter.isTransient(status(400, "ValidationException")))
                .isFalse();
        // The SDK wraps a request it cannot even write (a lone surrogate in a key) in an IOException: not transient.
        assertThat(KinesisRecordWriter.isTransient(SdkClientException.create(
                        "Unable to marshall request to JSON: Invalid surrogate pair",
                        new IOException("Invalid surrogate pair"))))
                .isFalse();
        assertThat(KinesisRecordWriter.TRANSIENT_CODES)
                .contains("ProvisionedThroughputExceededException", "InternalFailure")
                .doesNotContain("InvalidArgumentException", "KMSDisabledException", "AccessDeniedException");
    }
}
