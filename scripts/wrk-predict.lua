-- wrk script for scripts/bench-serve: the reference test request, POSTed as JSON.
wrk.method = "POST"
wrk.body = '{"PULocationID": 10, "DOLocationID": 50, "trip_distance": 40}'
wrk.headers["Content-Type"] = "application/json"
