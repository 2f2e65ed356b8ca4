"""`entities` and `present`: narrow the generated models' `X | None | Unset` unions honestly."""

from __future__ import annotations

import pytest

from streamkap_api.models import PipelineLatestMetrics, PipelineMetricsRes
from streamkap_api.types import UNSET
from streamkap_sdk import MissingFieldError, StreamkapError, entities, present

PAYLOAD = {
    "connector_metrics": {
        "a": {"latest": {"latency": 1.5, "recordsLag": 3, "status": "RUNNING"}},
        "b": {"timesummary": {"latency": 2.0}},
    }
}


def test_entities_gives_the_map_as_a_dict() -> None:
    result = PipelineMetricsRes.from_dict(PAYLOAD)
    rows = entities(result.connector_metrics)
    assert list(rows) == ["a", "b"]
    assert isinstance(present(rows["a"].latest), PipelineLatestMetrics)


@pytest.mark.parametrize("absent", [None, UNSET])
def test_entities_of_an_absent_map_is_empty(absent: object) -> None:
    assert entities(absent) == {}  # type: ignore[arg-type]


def test_present_names_what_is_missing() -> None:
    rows = entities(PipelineMetricsRes.from_dict(PAYLOAD).connector_metrics)
    assert present(rows["a"].latest).records_lag == 3
    with pytest.raises(MissingFieldError, match="latest of b is missing") as caught:
        present(rows["b"].latest, "latest of b")
    assert isinstance(caught.value, StreamkapError)
    assert isinstance(caught.value, LookupError)
    with pytest.raises(MissingFieldError):
        present(None)


def test_present_keeps_falsy_values() -> None:
    assert present(0) == 0
    assert present("") == ""
    assert present([]) == []
