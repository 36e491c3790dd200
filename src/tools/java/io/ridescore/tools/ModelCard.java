package io.ridescore.tools;

import io.ridescore.features.Feature;

import java.time.YearMonth;
import java.util.List;
import java.util.stream.Collectors;

/** The short Markdown card shipped beside a trained model. */
final class ModelCard {
    private ModelCard() {}

    static String render(
            String file,
            String version,
            YearMonth trainMonth,
            int trainRows,
            YearMonth validateMonth,
            int validateRows,
            List<Feature> numeric,
            List<Feature> categorical,
            TrainCommand.Metrics served,
            TrainCommand.Metrics withoutStream,
            TrainCommand.Metrics lookup,
            TrainCommand.Metrics mean) {
        return "# " + file + "\n\n"
                + "| | |\n|---|---|\n"
                + "| model | `" + LinearDurationModel.MODEL_NAME
                + "`, PMML RegressionModel (linear, ridge-regularised) |\n"
                + "| version | `" + version + "` |\n"
                + "| target | `" + LinearDurationModel.TARGET + "`: ride duration in minutes (dropoff − pickup) |\n"
                + "| trained on | " + trainMonth + " (" + String.format("%,d", trainRows)
                + " valid rides of the generated"
                + " green month, seed 42); batch features computed from the same month |\n"
                + "| validated on | " + validateMonth + " (" + String.format("%,d", validateRows)
                + " valid rides), features from " + trainMonth + " as in production |\n"
                + "| numeric inputs | " + names(numeric) + " |\n"
                + "| categorical inputs | " + names(categorical) + " (one-hot, first level is the baseline) |\n"
                + "| trainer | `scripts/ridescore train --month " + trainMonth + " --validate " + validateMonth
                + (withoutStream == null ? "" : " --stream-features true") + "` |\n"
                + (withoutStream == null
                        ? ""
                        : "| stream features | per pickup zone, rides picked up in [t − 15 min, t):"
                                + " computed offline exactly as the job's stream-feature operator computes them |\n")
                + "\n"
                + "## Validation (" + validateMonth + ")\n\n"
                + "| predictor | MAE (min) | RMSE (min) |\n|---|---|---|\n"
                + String.format("| this model | %.3f | %.3f |%n", served.mae(), served.rmse())
                + (withoutStream == null
                        ? ""
                        : String.format(
                                "| the same fit without stream features | %.3f | %.3f |%n",
                                withoutStream.mae(), withoutStream.rmse()))
                + String.format("| PU_DO mean duration lookup | %.3f | %.3f |%n", lookup.mae(), lookup.rmse())
                + String.format("| global mean | %.3f | %.3f |%n", mean.mae(), mean.rmse())
                + "\nRides outside 1..60 minutes and dirty rows are excluded, as the scoring job dead-letters them.\n";
    }

    private static String names(List<Feature> features) {
        return features.stream().map(f -> "`" + f.fieldName + "`").collect(Collectors.joining(", "));
    }
}
