"""A client library for accessing Streamkap REST API"""

# The package holds the spec's models (`models`), one public request builder per operation
# (`api.<tag>.<operation>.build_request_kwargs`) and the spec-derived surface the SDK reads
# (`surface`, `resources`). It has no client of its own: use `streamkap_sdk`.
