"""Run inside a mutated copy of the project (PYTHONPATH = its generated/ and overlays/).

Checks, through the public API only, that every additive mutation reached the SDK's users:
the new parameter (one of its values a common word, `errors`), the new boolean and number
parameters (wrong types refused unsent, right ones sent, their CLI flags parsed), the new enum
value, the new metric, the new entity map and the third operation, on both clients, the CLI,
the sandbox, the exporter and the testing kit. Exits non-zero (an
AssertionError) at the first thing that did not follow the spec.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import sys
import urllib.request
from pathlib import Path

import mutations as m

from streamkap_sdk import (
    AsyncStreamkapClient,
    InvalidParameterError,
    StreamkapClient,
    UnprocessableEntityError,
    cli,
    entities,
    present,
    to_records,
)
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from streamkap_sdk.testing import FakeStreamkap

HERE = Path(__file__).resolve()
COPY = Path(os.environ["EVOLUTION_COPY"])


def ok(what: str) -> None:
    print(f"ok: {what}", flush=True)


def main() -> None:
    import streamkap_sdk

    assert Path(streamkap_sdk.__file__).is_relative_to(COPY), streamkap_sdk.__file__
    with Sandbox() as sandbox:
        settings = {
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "base_url": sandbox.url,
        }
        engine = sandbox.engine
        with StreamkapClient(**settings) as client:  # type: ignore[arg-type]
            # 1. the new parameter: accepted by name, sent on the wire, checked by the sandbox
            client.pipelines.metrics(["a"], **{m.NEW_PARAM: m.NEW_PARAM_VALUES[0]})
            assert engine.seen[-1].query[m.NEW_PARAM] == m.NEW_PARAM_VALUES[0], engine.seen[-1]
            try:
                client.pipelines.metrics(["a"], **{m.NEW_PARAM: "bogus"})
            except InvalidParameterError as exc:
                assert exc.parameter == m.NEW_PARAM and "latency" in str(exc), exc
            else:
                raise AssertionError("a value outside the new closed set was sent")
            try:
                client.pipelines.metrics(["a"], extra_query={m.NEW_PARAM: "bogus"})
            except UnprocessableEntityError as exc:
                assert exc.errors[0].loc == ("query", m.NEW_PARAM), exc.errors
            else:
                raise AssertionError("the sandbox did not check the new parameter")
            ok("new parameter accepted, sent and checked by the SDK and the sandbox")
            client.pipelines.metrics(["a"], **{m.NEW_PARAM: m.COMMON_WORD})
            assert engine.seen[-1].query[m.NEW_PARAM] == m.COMMON_WORD, engine.seen[-1]
            ok(f"the value {m.COMMON_WORD!r} (also a common attribute name) passes")

            # 1b. the new boolean and number parameters: checked by type, sent as the API reads
            before = engine.metrics_requests
            for wrong in (
                {m.NEW_BOOL_PARAM: "banana"}, {m.NEW_BOOL_PARAM: 1}, {m.NEW_BOOL_PARAM: "true"},
                {m.NEW_NUMBER_PARAM: "x"}, {m.NEW_NUMBER_PARAM: -1}, {m.NEW_NUMBER_PARAM: True},
                {m.NEW_NUMBER_PARAM: float("nan")},
            ):  # fmt: skip
                try:
                    client.pipelines.metrics(["a"], **wrong)
                except InvalidParameterError as exc:
                    assert [exc.parameter] == list(wrong), exc
                else:
                    raise AssertionError(f"{wrong} was sent")
            assert engine.metrics_requests == before, "a value of a wrong type was sent"
            client.pipelines.metrics(["a"], **{m.NEW_BOOL_PARAM: True, m.NEW_NUMBER_PARAM: 2.5})
            query = engine.seen[-1].query
            assert query[m.NEW_BOOL_PARAM] == "true" and query[m.NEW_NUMBER_PARAM] == "2.5", query
            client.pipelines.metrics(["a"], **{m.NEW_BOOL_PARAM: False, m.NEW_NUMBER_PARAM: 0})
            query = engine.seen[-1].query
            assert query[m.NEW_BOOL_PARAM] == "false" and query[m.NEW_NUMBER_PARAM] == "0", query
            client.pipelines.metrics(["a"])
            assert m.NEW_BOOL_PARAM not in engine.seen[-1].query  # the spec's default: the API's
            ok(f"{m.NEW_BOOL_PARAM} (boolean) and {m.NEW_NUMBER_PARAM} (number): wrong types "
               "refused unsent, right ones sent")  # fmt: skip

            # 2. the new enum value passes, and is served
            client.pipelines.metrics(["a"], time_type=m.NEW_TIME_TYPE)
            assert engine.seen[-1].query["time_type"] == m.NEW_TIME_TYPE
            ok("new enum value passes")

            # 3. the new metric: a typed attribute, served by the sandbox
            result = client.pipelines.metrics(["a", "b"])
            latest = present(entities(result.connector_metrics)["a"].latest)
            value = present(getattr(latest, m.NEW_PROPERTY))
            assert isinstance(value, int), value
            assert m.NEW_PROPERTY not in latest.additional_properties
            ok(f"new metric decodes to latest.{m.NEW_PROPERTY} = {value} (sandbox)")

            # 4. the new entity map: served, and kept by the chunk merge for every id
            ids = [f"p{n}" for n in range(7)]
            with StreamkapClient(max_ids_per_request=2, **settings) as small:  # type: ignore[arg-type]
                merged = small.pipelines.metrics(ids)
            partition = entities(getattr(merged, m.NEW_MAP))
            assert list(partition) == ids, partition
            assert engine.metrics_requests >= 4
            rows = [r for r in to_records(merged) if r.aggregation == "partition"]
            assert {r.id for r in rows} == set(ids), rows
            ok(f"new entity map {m.NEW_MAP} kept for all {len(ids)} ids across 4 requests")

            # 5. the third operation, on both clients
            topics = getattr(client, m.THIRD_RESOURCE).metrics(["t1", "t2"])
            assert list(entities(topics.connector_metrics)) == ["t1", "t2"]
            assert engine.seen[-1].path == m.THIRD_PATH

        async def async_calls() -> None:
            async with AsyncStreamkapClient(**settings) as aclient:  # type: ignore[arg-type]
                got = await getattr(aclient, m.THIRD_RESOURCE).metrics(["t3"])
                assert list(entities(got.connector_metrics)) == ["t3"]
                await aclient.pipelines.metrics(["a"], **{m.NEW_PARAM: m.NEW_PARAM_VALUES[1]})
                await aclient.pipelines.metrics(["a"], **{m.NEW_BOOL_PARAM: True})
                assert engine.seen[-1].query[m.NEW_BOOL_PARAM] == "true", engine.seen[-1]
                before = engine.metrics_requests
                for wrong in ({m.NEW_BOOL_PARAM: "banana"}, {m.NEW_NUMBER_PARAM: "1.5"}):
                    try:
                        await aclient.pipelines.metrics(["a"], **wrong)
                    except InvalidParameterError as exc:
                        assert [exc.parameter] == list(wrong), exc
                    else:
                        raise AssertionError(f"{wrong} was sent (async client)")
                assert engine.metrics_requests == before

        asyncio.run(async_calls())
        ok(f"client.{m.THIRD_RESOURCE}.metrics works on both clients (sandbox)")

        # the CLI: the new resource and the new flag
        env = {
            "STREAMKAP_CLIENT_ID": DEFAULT_CLIENT_ID,
            "STREAMKAP_SECRET": DEFAULT_CLIENT_SECRET,
            "STREAMKAP_HOST": sandbox.url,
        }
        os.environ.update(env)
        out = io.StringIO()
        flag = "--" + m.NEW_PARAM.replace("_", "-")
        with contextlib.redirect_stdout(out):
            code = cli.main(
                [m.THIRD_RESOURCE, "--ids", "t1", flag, m.NEW_PARAM_VALUES[0], "--format", "json"]
            )
        assert code == 0, code
        assert "t1" in json.loads(out.getvalue())["connector_metrics"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli.main(["pipelines", "--ids", "a"]) == 0
        header = out.getvalue().splitlines()[0].split()
        assert m.NEW_PROPERTY in header, header
        ok(f"CLI: `{m.THIRD_RESOURCE}` resource, {flag} flag, {m.NEW_PROPERTY} column")

        # the CLI: the boolean and number flags parse, a wrong value is a usage error
        bool_flag = "--" + m.NEW_BOOL_PARAM.replace("_", "-")
        number_flag = "--" + m.NEW_NUMBER_PARAM.replace("_", "-")
        for given, sent in ((["true", "2.5"], ("true", "2.5")), (["false", "0"], ("false", "0"))):
            with contextlib.redirect_stdout(io.StringIO()):
                args = ["pipelines", "--ids", "a", bool_flag, given[0], number_flag, given[1]]
                assert cli.main([*args, "--format", "json"]) == 0
            query = engine.seen[-1].query
            assert (query[m.NEW_BOOL_PARAM], query[m.NEW_NUMBER_PARAM]) == sent, query
        before = engine.metrics_requests
        for wrong in ([bool_flag, "banana"], [number_flag, "x"], [number_flag, "-1"]):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = cli.main(["pipelines", "--ids", "a", *wrong])
            lines = err.getvalue().splitlines()
            assert code == cli.EXIT_USAGE and len(lines) == 1 and wrong[0] in lines[0], lines
        assert engine.metrics_requests == before
        ok(f"CLI: {bool_flag} true|false and {number_flag} N parse; wrong values exit 2 unsent")

        # the Prometheus exporter: a gauge for the new metric, and the third resource
        from streamkap_sdk.exporter import Exporter

        watched = {"pipelines": ["a"], m.THIRD_RESOURCE: ["t1"]}
        with Exporter(AsyncStreamkapClient(**settings), watched, port=0) as exporter:  # type: ignore[arg-type]
            assert exporter.wait_for_refreshes(1, timeout=10)
            assert exporter.snapshot.up, exporter.snapshot
            with urllib.request.urlopen(exporter.url + "/metrics", timeout=10) as response:
                text = response.read().decode()
        assert f'streamkap_pipeline_{m.NEW_PROPERTY}{{pipeline_id="a"}}' in text, text
        assert re.search(r'^streamkap_\w+_records_lag\{\w+_id="t1"\} ', text, re.M), text
        ok(f"exporter: streamkap_pipeline_{m.NEW_PROPERTY} and the {m.THIRD_RESOURCE} resource")

    # the testing kit: the new metric, map and operation are served, and programmable
    fake = FakeStreamkap(seed=3)
    fake.set_metrics("x", latest={m.NEW_PROPERTY: 42})
    with fake.client() as kit:
        got = kit.pipelines.metrics(["x", "y"])
        assert getattr(present(entities(got.connector_metrics)["x"].latest), m.NEW_PROPERTY) == 42
        seeded = getattr(present(entities(got.connector_metrics)["y"].latest), m.NEW_PROPERTY)
        assert isinstance(seeded, int), seeded
        assert list(entities(getattr(got, m.NEW_MAP))) == ["x", "y"]
        assert list(entities(getattr(kit, m.THIRD_RESOURCE).metrics(["z"]).connector_metrics)) == [
            "z"
        ]
    ok("testing kit serves the new metric, map and operation")
    print("all additive checks passed")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
