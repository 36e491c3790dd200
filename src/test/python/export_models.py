"""Trains the models data scientists hand over, with the real libraries, and saves them as those
libraries save them, for the exporter tests (src/test/java/io/ridescore/model/ExporterModelsTest).

The Java tests turn these files into PMML with the JPMML converters from Maven Central
(pmml-sklearn, pmml-xgboost), so what ridescore scores is what the exporters really produce.
Python, scikit-learn, pandas and XGBoost are needed only to regenerate the files (Debian:
apt-get install python3-sklearn python3-pandas python3-xgboost); the files are committed, and CI needs no Python.

    scripts/export-reference-models

which writes the training rows (io.ridescore.tools.TrainingCsv: the valid rides of the default
generated month) and then runs this script on them.
"""
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas
import sklearn
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

SEED = 2021


def rides(csv_file):
    """The training rows TrainingCsv wrote from the project's default generated month."""
    table = np.genfromtxt(csv_file, delimiter=",", names=True)
    return (table["PULocationID"].astype(int), table["DOLocationID"].astype(int), table["trip_distance"],
            table["pickup_hour"].astype(int), table["duration"])


def dicts(pu, do, distance):
    return [{"PU_DO": f"{p}_{d}", "trip_distance": float(t)} for p, d, t in zip(pu, do, distance)]


def save(obj, path):
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=4)
    print(f"{path}: {path.stat().st_size} bytes")


def main(out, training_csv):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pu, do, distance, hour, duration = rides(training_csv)
    records = dicts(pu, do, distance)

    # The reference pipeline (mlops-zoomcamp): DictVectorizer on PU_DO and trip_distance, linear regression.
    linear = make_pipeline(DictVectorizer(), LinearRegression()).fit(records, duration)
    save(linear, out / "sklearn_dictvectorizer_linear.pkl")
    print(f"  {len(linear[0].feature_names_)} one-hot features")

    # The reference's later pipeline: the same features into a random forest (smaller, for the tests).
    forest = make_pipeline(DictVectorizer(), RandomForestRegressor(n_estimators=20, max_depth=10,
                                                                   min_samples_leaf=10, random_state=SEED))
    forest.fit(records, duration)
    save(forest, out / "sklearn_dictvectorizer_forest.pkl")

    # Gradient boosting on numeric inputs (zones as numbers, the hour), as scikit-learn users often do.
    numeric = np.column_stack([pu, do, distance, hour]).astype(float)
    gbm = GradientBoostingRegressor(n_estimators=60, max_depth=3, learning_rate=0.1, random_state=SEED)
    gbm.fit(numeric, duration)
    # As if fitted on a DataFrame with these columns: the converter names the PMML inputs after them.
    gbm.feature_names_in_ = np.array(["PULocationID", "DOLocationID", "trip_distance", "pickup_hour"], dtype=object)
    save(make_pipeline(gbm), out / "sklearn_gbm.pkl")

    # An OrdinalEncoder in front of gradient boosting (the pipeline takes a DataFrame): the PMML maps
    # PU_DO to its code with a value mapping, -1 for a pair the encoder never saw (asIs).
    frame = pandas.DataFrame({"PU_DO": [r["PU_DO"] for r in records], "trip_distance": distance})
    encoder = ColumnTransformer([("PU_DO", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                                  ["PU_DO"])], remainder="passthrough")
    ordinal = make_pipeline(encoder, GradientBoostingRegressor(n_estimators=40, max_depth=4, random_state=SEED))
    save(ordinal.fit(frame, duration), out / "sklearn_ordinal_gbm.pkl")

    # HistGradientBoosting with the hour as a native categorical feature: set predicates (isIn) on it.
    table = pandas.DataFrame({"PULocationID": pu, "DOLocationID": do, "trip_distance": distance, "pickup_hour": hour})
    hour_encoder = ColumnTransformer([("pickup_hour", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                                       ["pickup_hour"])], remainder="passthrough")
    hist = make_pipeline(hour_encoder, HistGradientBoostingRegressor(max_iter=40, categorical_features=[0],
                                                                     random_state=SEED))
    save(hist.fit(table, duration), out / "sklearn_hist_gbm.pkl")

    # XGBoost's own format, with the feature map the JPMML-XGBoost converter reads names and types from.
    names, types = ["PULocationID", "DOLocationID", "trip_distance", "pickup_hour"], ["int", "int", "q", "int"]
    matrix = xgboost.DMatrix(numeric, label=duration, feature_names=names, feature_types=types)
    booster = xgboost.train({"max_depth": 6, "eta": 0.2, "objective": "reg:squarederror", "seed": SEED,
                             "base_score": float(np.mean(duration))}, matrix, num_boost_round=40)
    booster.save_model(str(out / "xgboost_regressor.json"))
    with open(out / "xgboost_regressor.fmap", "w") as f:
        for i, (name, kind) in enumerate(zip(names, types)):
            f.write(f"{i}\t{name}\t{kind}\n")
    print(f"{out / 'xgboost_regressor.json'}: {(out / 'xgboost_regressor.json').stat().st_size} bytes")

    with open(out / "VERSIONS", "w") as f:
        f.write(f"python {sys.version.split()[0]}\nscikit-learn {sklearn.__version__}\n"
                f"xgboost {xgboost.__version__}\nnumpy {np.__version__}\npandas {pandas.__version__}\nseed {SEED}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
