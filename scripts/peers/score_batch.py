#!/usr/bin/env python3
"""The batch scorer a ridescore user would otherwise run: the mlops-zoomcamp score.py shape
(pandas + scikit-learn: read the month, filter, DictVectorizer + LinearRegression from the
pickled pipeline, predict, and write its result frame: ride_id, lpep_pickup_datetime,
PULocationID, DOLocationID, actual_duration, predicted_duration, diff, model_version, the columns
ridescore's batch output holds too), run by scripts/bench-batch against ridescore on the same
rides and the same model. The month's ride ids are its own (the zoomcamp script makes uuids),
so that the two answers can be matched ride by ride.

    python3 scripts/peers/score_batch.py <month.csv> <pipeline.pkl> <predictions.csv> [model_version]

model_version (the zoomcamp script's run id) defaults to the pickle's file name without .pkl.

It reads and writes CSV, not Parquet as the zoomcamp script does: Debian packages no Parquet
reader or writer for pandas (python3-pyarrow is not packaged), and the benchmark says so. The
rides kept are those ridescore scores: both locations present and in 1..265, a positive finite
distance, a duration of 1..60 minutes (the reference's filter). Prints the counts and the time of
each step.
"""
import os
import pickle
import sys
import time

import numpy as np
import pandas as pd


def read_dataframe(filename):
    df = pd.read_csv(filename, parse_dates=["lpep_pickup_datetime", "lpep_dropoff_datetime"])
    df["duration"] = (df.lpep_dropoff_datetime - df.lpep_pickup_datetime).dt.total_seconds() / 60
    valid = ((df.duration >= 1) & (df.duration <= 60)
             & df.PULocationID.between(1, 265) & df.DOLocationID.between(1, 265)
             & np.isfinite(df.trip_distance) & (df.trip_distance > 0))
    df = df[valid].copy()
    df["PU_DO"] = df.PULocationID.astype(int).astype(str) + "_" + df.DOLocationID.astype(int).astype(str)
    return df


def save_results(df, y_pred, model_version, output_csv):
    df_result = pd.DataFrame()
    df_result["ride_id"] = df["ride_id"]
    df_result["lpep_pickup_datetime"] = df["lpep_pickup_datetime"]
    df_result["PULocationID"] = df["PULocationID"]
    df_result["DOLocationID"] = df["DOLocationID"]
    df_result["actual_duration"] = df["duration"]
    df_result["predicted_duration"] = y_pred
    df_result["diff"] = df_result["actual_duration"] - df_result["predicted_duration"]
    df_result["model_version"] = model_version
    df_result.to_csv(output_csv, index=False)


def main(month_csv, model_file, output_csv, model_version=None):
    started = time.perf_counter()
    df = read_dataframe(month_csv)
    read = time.perf_counter()
    with open(model_file, "rb") as f:
        pipeline = pickle.load(f)
    dicts = df[["PU_DO", "trip_distance"]].to_dict(orient="records")
    y_pred = pipeline.predict(dicts)
    predicted = time.perf_counter()
    save_results(df, y_pred, model_version or os.path.basename(model_file).removesuffix(".pkl"), output_csv)
    written = time.perf_counter()
    print(f"peer: {len(df)} rides scored; read+filter {read - started:.2f} s, predict {predicted - read:.2f} s,"
          f" write {written - predicted:.2f} s")


if __name__ == "__main__":
    main(*sys.argv[1:5])
