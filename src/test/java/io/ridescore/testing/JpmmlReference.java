package io.ridescore.testing;

import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.EvaluatorUtil;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;

import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The expected prediction, computed apart from the job: jpmml-evaluator called directly, with the
 * shipped linear model's inputs named by hand (the ride's distance and the batch-table means of its
 * zones), not through the job's parser, feature vector binding or fast path.
 */
public final class JpmmlReference {
    private final Evaluator evaluator;
    private final FeatureBuilder table;

    public JpmmlReference(byte[] pmml, BatchFeatureTable table) throws Exception {
        this.evaluator = new LoadingModelEvaluatorBuilder()
                .load(new ByteArrayInputStream(pmml))
                .build();
        this.table = new FeatureBuilder(table);
    }

    public double score(RideEvent ride) {
        FeatureVector f = table.build(ride);
        Map<String, Object> raw = Map.of(
                "trip_distance",
                ride.tripDistance,
                "pu_do_mean_duration",
                f.puDoMeanDuration,
                "pu_do_mean_distance",
                f.puDoMeanDistance,
                "pu_mean_duration",
                f.puMeanDuration,
                "do_mean_duration",
                f.doMeanDuration,
                "pickup_hour",
                f.pickupHour,
                "pickup_dow",
                f.pickupDow);
        Map<String, Object> args = new HashMap<>();
        for (InputField field : evaluator.getInputFields()) {
            args.put(field.getName(), field.prepare(raw.get(field.getName())));
        }
        Object y = EvaluatorUtil.decode(
                evaluator.evaluate(args).get(evaluator.getTargetFields().get(0).getName()));
        return ((Number) y).doubleValue();
    }
}
