"""The load test: a scenario from the manifest, run on Locust in its own processes."""
