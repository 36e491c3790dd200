package io.ridescore.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.apache.flink.core.fs.Path;
import org.xnio.Options;
import org.xnio.XnioExecutor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /predict}, {@code GET /health}, {@code GET /metrics} on Undertow. Scoring takes
 * microseconds, so requests are answered on the I/O threads, with no hand-off to a worker pool.
 * {@link #stop} lets requests in flight finish before the listener closes.
 *
 * <p>A hostile client gets an answer, never a held connection or a reset: headers and each body
 * read must arrive within the read timeout (else 408), an idle connection is closed, a body over
 * the limit gets 413 whether its length was declared or it came chunked (the excess is read and
 * dropped, up to a bound, so the client sees the answer), and a body that says it is not JSON 415.
 */
public final class PredictionServer implements AutoCloseable {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of an oversized chunked body is read and dropped before the connection is closed. */
    private static final int MAX_DRAINED_BYTES = 16 * 1024 * 1024;

    /** A request with {@code X-Shadow: true} is scored by the challenger too (when the service has one). */
    public static final HttpString SHADOW_HEADER = new HttpString("X-Shadow");

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RidePredictor predictor;
    private final ServerMetrics metrics = new ServerMetrics();
    private final GracefulShutdownHandler shutdown;
    private final Undertow server;
    private final long readTimeoutMillis;
    private final boolean shadowAll;

    /**
     * Loads the model, the challenger (null: none) and the feature table, and refuses a model the
     * service cannot feed, before listening. With {@code shadowAll} every request is scored by the
     * challenger too, else only those with an {@code X-Shadow: true} header.
     */
    public static PredictionServer create(
            ModelSpec spec,
            ModelSpec challenger,
            boolean shadowAll,
            String featureTable,
            String host,
            int port,
            int ioThreads,
            Duration readTimeout)
            throws IOException {
        RidePredictor predictor = new RidePredictor(
                ModelLoader.load(spec),
                challenger == null ? null : ModelLoader.load(challenger),
                BatchFeatureTable.read(new Path(featureTable)));
        return new PredictionServer(predictor, shadowAll, host, port, ioThreads, readTimeout);
    }

    PredictionServer(
            RidePredictor predictor, boolean shadowAll, String host, int port, int ioThreads, Duration readTimeout) {
        this.predictor = predictor;
        this.shadowAll = shadowAll;
        RoutingHandler routes = new RoutingHandler()
                .post("/predict", this::predict)
                .get("/health", exchange -> send(exchange, 200, health()))
                .get("/metrics", exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4");
                    exchange.getResponseSender()
                            .send(metrics.render(
                                    predictor.model().name(), predictor.model().version(), predictor.shadow()));
                })
                .setFallbackHandler(exchange -> refuse(
                        exchange,
                        0,
                        new RidePredictor.Refused(
                                404,
                                "not_found",
                                "no such endpoint: " + exchange.getRequestMethod() + " " + exchange.getRequestPath())))
                .setInvalidMethodHandler(exchange -> refuse(
                        exchange,
                        0,
                        new RidePredictor.Refused(
                                405,
                                "method_not_allowed",
                                exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath())));
        this.shutdown = new GracefulShutdownHandler(routes);
        this.readTimeoutMillis = readTimeout.toMillis();
        int readMillis = (int) readTimeout.toMillis();
        this.server = Undertow.builder()
                .addHttpListener(port, host)
                .setIoThreads(ioThreads)
                .setHandler(shutdown)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, readMillis)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) IDLE_TIMEOUT.toMillis())
                .setSocketOption(Options.READ_TIMEOUT, 3 * readMillis) // a backstop; requests answer 408 first
                .build();
    }

    public PredictionServer start() {
        server.start();
        return this;
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Stops taking requests, waits up to the timeout for those in flight, then closes. */
    public void stop(long timeoutMillis) throws InterruptedException {
        shutdown.shutdown();
        shutdown.awaitShutdown(timeoutMillis);
        server.stop();
    }

    @Override
    public void close() throws InterruptedException {
        stop(5000);
    }

    private void predict(HttpServerExchange exchange) {
        long started = System.nanoTime();
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        boolean shadowed = shadowAll
                || "true".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(SHADOW_HEADER));
        if (type != null && !isJson(type)) {
            exchange.setPersistent(false);
            refuse(
                    exchange,
                    started,
                    new RidePredictor.Refused(
                            415,
                            "unsupported_media_type",
                            "the body must be JSON (Content-Type application/json), not " + type));
            return;
        }
        if (exchange.getRequestContentLength() > MAX_BODY_BYTES) {
            exchange.setPersistent(false);
            refuse(exchange, started, tooBig());
            return;
        }
        // Undertow's own limit would cut the connection, and the client would see a reset: let an
        // oversized body be read (and dropped) up to a bound, so the 413 reaches it.
        exchange.setMaxEntitySize(MAX_DRAINED_BYTES);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long[] received = {0};
        boolean[] answered = {false};
        // The socket's own read timeout closes the connection without a word; this answers first.
        XnioExecutor.Key timeout = exchange.getIoThread()
                .executeAfter(
                        () -> {
                            if (!answered[0]) {
                                answered[0] = true;
                                exchange.setPersistent(false);
                                refuse(
                                        exchange,
                                        started,
                                        new RidePredictor.Refused(
                                                408,
                                                "request_timeout",
                                                "the body did not arrive within " + readTimeoutMillis + " ms"));
                            }
                        },
                        readTimeoutMillis,
                        TimeUnit.MILLISECONDS);
        exchange.getRequestReceiver()
                .receivePartialBytes(
                        (ex, chunk, last) -> {
                            received[0] += chunk.length;
                            if (received[0] <= MAX_BODY_BYTES) {
                                body.writeBytes(chunk);
                            }
                            if (!last || answered[0]) {
                                return;
                            }
                            answered[0] = true;
                            timeout.remove();
                            if (received[0] > MAX_BODY_BYTES) {
                                refuse(ex, started, tooBig());
                                return;
                            }
                            try {
                                JsonNode answer =
                                        predictor.predict(body.toByteArray(), System.currentTimeMillis(), shadowed);
                                metrics.predicted(answer.isArray() ? answer.size() : 1);
                                send(ex, 200, answer);
                                metrics.request(200, System.nanoTime() - started);
                            } catch (RidePredictor.Refused refused) {
                                refuse(ex, started, refused);
                            }
                        },
                        (ex, error) -> {
                            if (answered[0]) {
                                return;
                            }
                            answered[0] = true;
                            timeout.remove();
                            ex.setPersistent(false);
                            refuse(
                                    ex,
                                    started,
                                    error instanceof RequestTooBigException
                                            ? tooBig()
                                            : new RidePredictor.Refused(
                                                    400, "bad_request", "the body could not be read"));
                        });
    }

    /** {@code application/json} or a {@code +json} type, with any parameters (charset). */
    private static boolean isJson(String contentType) {
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mime.equals("application/json") || mime.startsWith("application/") && mime.endsWith("+json");
    }

    private static RidePredictor.Refused tooBig() {
        return new RidePredictor.Refused(413, "oversized_body", "the body exceeds " + MAX_BODY_BYTES + " bytes");
    }

    private void refuse(HttpServerExchange exchange, long started, RidePredictor.Refused refused) {
        metrics.error(refused.reason);
        ObjectNode body = JSON.createObjectNode();
        body.put("error", refused.reason);
        body.put("detail", refused.getMessage());
        send(exchange, refused.status, body);
        metrics.request(refused.status, started == 0 ? 0 : System.nanoTime() - started);
    }

    private JsonNode health() {
        ObjectNode node = JSON.createObjectNode();
        node.put("status", "ready");
        node.put("model", predictor.model().name());
        node.put("model_version", predictor.model().version());
        return node;
    }

    private static void send(HttpServerExchange exchange, int status, JsonNode body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        try {
            exchange.getResponseSender().send(JSON.writeValueAsString(body), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }
}
