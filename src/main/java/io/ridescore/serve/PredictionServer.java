package io.ridescore.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;

import java.nio.charset.StandardCharsets;

/**
 * {@code POST /predict}, {@code GET /health}, {@code GET /metrics} on Undertow. Scoring takes
 * microseconds, so requests are answered on the I/O threads, with no hand-off to a worker pool.
 * {@link #stop} lets requests in flight finish before the listener closes.
 */
public final class PredictionServer implements AutoCloseable {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RidePredictor predictor;
    private final ServerMetrics metrics = new ServerMetrics();
    private final GracefulShutdownHandler shutdown;
    private final Undertow server;

    /** Loads the model and the feature table, and refuses a model the service cannot feed, before listening. */
    public static PredictionServer create(io.ridescore.model.ModelSpec spec, String featureTable, String host, int port,
                                          int ioThreads) throws java.io.IOException {
        RidePredictor predictor = new RidePredictor(io.ridescore.model.ModelLoader.load(spec),
                io.ridescore.features.BatchFeatureTable.read(new org.apache.flink.core.fs.Path(featureTable)));
        return new PredictionServer(predictor, host, port, ioThreads);
    }

    PredictionServer(RidePredictor predictor, String host, int port, int ioThreads) {
        this.predictor = predictor;
        RoutingHandler routes = new RoutingHandler()
                .post("/predict", this::predict)
                .get("/health", exchange -> send(exchange, 200, health()))
                .get("/metrics", exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4");
                    exchange.getResponseSender().send(metrics.render(predictor.model().name(), predictor.model().version()));
                })
                .setFallbackHandler(exchange -> refuse(exchange, 0, new RidePredictor.Refused(404, "not_found",
                        "no such endpoint: " + exchange.getRequestMethod() + " " + exchange.getRequestPath())))
                .setInvalidMethodHandler(exchange -> refuse(exchange, 0, new RidePredictor.Refused(405,
                        "method_not_allowed", exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath())));
        this.shutdown = new GracefulShutdownHandler(routes);
        this.server = Undertow.builder().addHttpListener(port, host).setIoThreads(ioThreads).setHandler(shutdown).build();
    }

    public PredictionServer start() {
        server.start();
        return this;
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
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
        long declared = exchange.getRequestContentLength();
        if (declared > MAX_BODY_BYTES) {
            refuse(exchange, started, tooBig());
            return;
        }
        exchange.setMaxEntitySize(MAX_BODY_BYTES);
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
            try {
                JsonNode answer = predictor.predict(body, System.currentTimeMillis());
                metrics.predicted(answer.isArray() ? answer.size() : 1);
                send(ex, 200, answer);
                metrics.request(200, System.nanoTime() - started);
            } catch (RidePredictor.Refused refused) {
                refuse(ex, started, refused);
            }
        }, (ex, error) -> refuse(ex, started, error instanceof io.undertow.server.RequestTooBigException
                ? tooBig() : new RidePredictor.Refused(400, "bad_request", "the body could not be read")));
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }

}
