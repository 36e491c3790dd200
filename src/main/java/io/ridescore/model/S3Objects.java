package io.ridescore.model;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Reads {@code s3://bucket/key} objects with the AWS SDK v2: credentials and region from the
 * default chains (us-east-1 when none is set, with cross-region access so the bucket's own region
 * answers), and an optional endpoint override for S3-compatible stores (MinIO, Ceph, a local test
 * server), which are addressed path-style.
 */
final class S3Objects {
    private S3Objects() {}

    static byte[] get(String uri, String endpoint) throws IOException {
        URI parsed = URI.create(uri);
        String bucket = parsed.getHost();
        String key = parsed.getPath().replaceFirst("^/", "");
        if (bucket == null || key.isEmpty()) {
            throw new IOException("model URI " + uri + " is not s3://<bucket>/<key>");
        }
        try (S3Client s3 = client(endpoint)) {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new IOException("model not found: " + uri);
        } catch (S3Exception e) {
            if (e.statusCode() >= 500) {
                throw new ModelSource.Unreachable(uri + ": S3 answered " + e.statusCode(), e);
            }
            throw new IOException(
                    uri + ": S3 answered " + e.statusCode() + " "
                            + e.awsErrorDetails().errorCode(),
                    e);
        } catch (SdkClientException e) {
            if (String.valueOf(e.getMessage()).startsWith("Unable to load credentials")) {
                throw new IOException(
                        "no AWS credentials to read " + uri + " (set AWS_ACCESS_KEY_ID and"
                                + " AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)",
                        e);
            }
            throw new ModelSource.Unreachable(
                    (endpoint == null ? "S3" : endpoint) + " is unreachable for " + uri + " (" + rootCause(e) + ")", e);
        }
    }

    /** The SDK wraps a refused connection or an unknown host in a paragraph; the root says it in a few words. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null
                ? ""
                : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }

    private static S3Client client(String endpoint) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(region())
                .crossRegionAccessEnabled(true);
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        return builder.build();
    }

    private static Region region() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException none) {
            return Region.US_EAST_1;
        }
    }
}
