"""The streaming scorer a ridescore user would otherwise run: the mlops-zoomcamp lambda_function.py
shape (a Lambda on a Kinesis stream: decode each record of the batch, build the features, predict
with the pickled DictVectorizer + LinearRegression pipeline, put the predictions to the output
stream), with a small local poller standing in for Lambda's Kinesis event source mapping (AWS Lambda
cannot run here): every shard is read with GetRecords every POLL_SECONDS and each non-empty batch
goes to lambda_handler. Run by bench-stream against the online job on the same kinesis-mock.

    KINESIS_ENDPOINT=http://127.0.0.1:4568 INPUT_STREAM=.. OUTPUT_STREAM=.. MODEL_FILE=<pipeline.pkl> \\
      python3 scripts/peers/lambda_consumer.py <seconds>
"""
import base64
import json
import os
import pickle
import sys
import time

import boto3

kinesis = boto3.client("kinesis", endpoint_url=os.environ["KINESIS_ENDPOINT"], region_name="us-east-1",
                       aws_access_key_id="kinesis-mock", aws_secret_access_key="kinesis-mock")
with open(os.environ["MODEL_FILE"], "rb") as f:
    pipeline = pickle.load(f)
OUTPUT_STREAM = os.environ["OUTPUT_STREAM"]
MODEL_VERSION = os.path.basename(os.environ["MODEL_FILE"])


def prepare_features(ride):
    return {"PU_DO": f"{ride['PULocationID']}_{ride['DOLocationID']}", "trip_distance": ride["trip_distance"]}


def lambda_handler(event, context):
    events = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]
    predictions = pipeline.predict([prepare_features(e["ride"]) for e in events])
    records = []
    for e, duration in zip(events, predictions):
        prediction = {"model": "ride_duration_prediction_model", "version": MODEL_VERSION,
                      "prediction": {"ride_duration": float(duration), "ride_id": e["ride_id"]}}
        records.append({"Data": json.dumps(prediction).encode(), "PartitionKey": str(e["ride_id"])})
    for i in range(0, len(records), 500):
        kinesis.put_records(StreamName=OUTPUT_STREAM, Records=records[i:i + 500])
    return {"predictions": len(records)}


def main(seconds):
    stream = os.environ["INPUT_STREAM"]
    poll = float(os.environ.get("POLL_SECONDS", "0.05"))
    iterators = {s["ShardId"]: kinesis.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"],
                                                          ShardIteratorType="LATEST")["ShardIterator"]
                 for s in kinesis.list_shards(StreamName=stream)["Shards"]}
    print("polling", len(iterators), "shards", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for shard, iterator in iterators.items():
            response = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            iterators[shard] = response["NextShardIterator"]
            if response["Records"]:
                lambda_handler({"Records": [{"kinesis": {"data": base64.b64encode(r["Data"]).decode()}}
                                            for r in response["Records"]]}, None)
        time.sleep(poll)


if __name__ == "__main__":
    main(float(sys.argv[1]))
