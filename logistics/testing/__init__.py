"""Support shared by the test suite and the benchmarks (like `numpy.testing`): the fuzzing harness
(`logistics.testing.fuzz`), a real job service in its own processes (`logistics.testing.service`), and small
example problems (`logistics.testing.problems`). The service helper needs the development extras (httpx,
jsonschema): `pip install -e ".[dev]"`."""
