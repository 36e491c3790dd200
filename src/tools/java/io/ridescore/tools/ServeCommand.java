package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.model.ModelException;
import io.ridescore.serve.PredictionServer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The request/response web service: the Flask endpoint's contract on the job's scorer and features. */
final class ServeCommand implements Command {
    static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port").intType().defaultValue(9696).withDescription("Port to listen on.");
    static final ConfigOption<String> HOST = ConfigOptions.key("host")
            .stringType()
            .defaultValue("127.0.0.1")
            .withDescription("Address to listen on (0.0.0.0 for every interface).");
    static final ConfigOption<Boolean> SHADOW_ALL = ConfigOptions.key("shadow-all")
            .booleanType()
            .defaultValue(false)
            .withDescription("With --challenger: score every request with the challenger too; otherwise only"
                    + " requests with the header X-Shadow: true. The answer is always the serving model's.");
    static final ConfigOption<Integer> IO_THREADS = ConfigOptions.key("io-threads")
            .intType()
            .defaultValue(Runtime.getRuntime().availableProcessors())
            .withDescription("Undertow I/O threads.");

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "HTTP service: POST /predict (a ride or an array of rides), GET /health, GET /metrics (Prometheus).";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                PORT,
                HOST,
                IO_THREADS,
                RideScoreOptions.MODEL,
                RideScoreOptions.MODEL_FALLBACK,
                RideScoreOptions.MLFLOW_TRACKING_URI,
                RideScoreOptions.MODEL_VERSION,
                RideScoreOptions.CHALLENGER,
                SHADOW_ALL,
                RideScoreOptions.SCORER,
                RideScoreOptions.FEATURES,
                RideScoreOptions.DATA_DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        PredictionServer server;
        try {
            server = PredictionServer.create(
                            RideScoreOptions.modelSpec(conf),
                            RideScoreOptions.challengerSpec(conf),
                            conf.get(SHADOW_ALL),
                            RideScoreOptions.features(conf),
                            conf.get(HOST),
                            conf.get(PORT),
                            conf.get(IO_THREADS),
                            PredictionServer.DEFAULT_READ_TIMEOUT)
                    .start();
        } catch (ModelException | FileNotFoundException e) {
            throw new IllegalArgumentException(e.getMessage() != null ? e.getMessage() : e.toString());
        }
        System.out.printf(
                "serving on http://%s:%d (POST /predict, GET /health, GET /metrics)%n", conf.get(HOST), server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                System.out.println("stopping: finishing requests in flight");
                server.stop(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
        return 0;
    }
}
