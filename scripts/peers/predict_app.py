"""The web service a ridescore user would otherwise run: the mlops-zoomcamp predict.py shape
(Flask; the pickled DictVectorizer + LinearRegression pipeline; POST /predict with a ride,
answered with its duration), served by gunicorn in scripts/bench-serve against `ridescore serve`
with the same model's JPMML-SkLearn export.

    MODEL_FILE=<pipeline.pkl> gunicorn --workers 2 --bind 127.0.0.1:9798 --chdir scripts/peers predict_app:app
"""
import os
import pickle

from flask import Flask, jsonify, request

with open(os.environ["MODEL_FILE"], "rb") as f:
    pipeline = pickle.load(f)

app = Flask("duration-prediction")


def prepare_features(ride):
    return {"PU_DO": f"{ride['PULocationID']}_{ride['DOLocationID']}", "trip_distance": ride["trip_distance"]}


@app.route("/predict", methods=["POST"])
def predict_endpoint():
    ride = request.get_json()
    prediction = pipeline.predict([prepare_features(ride)])
    return jsonify({"duration": float(prediction[0]), "model_version": os.path.basename(os.environ["MODEL_FILE"])})
