"""Run inside a copy whose spec lost a parameter: the SDK refuses it, naming it, unsent."""

from __future__ import annotations

import os
from pathlib import Path

import mutations as m

from streamkap_sdk import InvalidParameterError
from streamkap_sdk.testing import FakeStreamkap


def main() -> None:
    import streamkap_sdk

    assert Path(streamkap_sdk.__file__).is_relative_to(Path(os.environ["EVOLUTION_COPY"]))
    fake = FakeStreamkap()
    with fake.client() as client:
        try:
            client.pipelines.metrics(["a"], **{m.REMOVED_PARAM: "x"})
        except InvalidParameterError as exc:
            assert exc.parameter == m.REMOVED_PARAM, exc
            print(f"ok: refused: {exc}")
        else:
            raise AssertionError("the removed parameter was accepted")
        assert fake.metrics_requests == 0, "something was sent"
        client.destinations.metrics(["d"], **{m.REMOVED_PARAM: "x"})  # still there
        assert fake.requests[-1].query[m.REMOVED_PARAM] == "x"
    print("ok: destinations still takes it; all removal checks passed")


if __name__ == "__main__":
    main()
