package io.ridescore.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for the tests of one class: s3rver (npm, installed by {@code npm ci}),
 * on a free loopback port, with a {@code models} bucket. It takes the access key
 * {@code S3RVER}/{@code S3RVER}, which the tests hand to the SDK's default chain through its system
 * properties, as a deployment would through the environment.
 *
 * <p>{@link #withTls} serves HTTPS with a throwaway self-signed certificate instead (openssl makes
 * it): Flink's S3 plugin (AWS SDK v1) signs bodies in aws-chunked framing over plain HTTP, which
 * s3rver would store as it comes; over TLS it sends them plain.
 */
public final class LocalS3 implements BeforeAllCallback, AfterAllCallback {
    private static final Path BIN = Path.of("node_modules", "s3rver", "bin", "s3rver.js");
    public static final String BUCKET = "models";

    private final String bucket;
    private final boolean tls;
    private Process process;
    private int port;
    private Path data;
    private S3Client client;

    public LocalS3() {
        this(BUCKET, false);
    }

    private LocalS3(String bucket, boolean tls) {
        this.bucket = bucket;
        this.tls = tls;
    }

    /** An HTTPS s3rver with one bucket, for Flink's S3 file system (no SDK v2 client: it would refuse the certificate). */
    public static LocalS3 withTls(String bucket) {
        return new LocalS3(bucket, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.exists(BIN)) {
            throw new IllegalStateException("s3rver is not installed: run npm ci in the project root");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        data = Files.createTempDirectory("s3rver");
        File log = new File("target/s3rver-" + context.getRequiredTestClass().getSimpleName() + ".log");
        log.getParentFile().mkdirs();
        List<String> command = new ArrayList<>(List.of(
                "node",
                BIN.toString(),
                "--directory",
                data.toString(),
                "--address",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--configure-bucket",
                bucket));
        if (tls) {
            Path key = data.resolve("key.pem");
            Path cert = data.resolve("cert.pem");
            Process openssl = new ProcessBuilder(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "rsa:2048",
                            "-nodes",
                            "-keyout",
                            key.toString(),
                            "-out",
                            cert.toString(),
                            "-days",
                            "2",
                            "-subj",
                            "/CN=127.0.0.1")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (openssl.waitFor() != 0) {
                throw new IllegalStateException("openssl could not make a certificate for s3rver's TLS");
            }
            command.addAll(List.of("--key", key.toString(), "--cert", cert.toString()));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("s3rver did not start; see " + log);
            }
            Thread.sleep(100);
        }
        if (tls) {
            return;
        }
        System.setProperty("aws.accessKeyId", "S3RVER");
        System.setProperty("aws.secretAccessKey", "S3RVER");
        client = S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("S3RVER", "S3RVER")))
                // s3rver stores an aws-chunked body as it comes: send plain bodies.
                .serviceConfiguration(
                        S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    private boolean listening() {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public String endpoint() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /** Where s3rver keeps the objects of a bucket, one directory per key prefix. */
    public Path directory() {
        return data.resolve(bucket);
    }

    public void put(String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
