"""`streamkap-metrics` end to end: the installed command against the uvicorn sandbox."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from _scripted_api import ScriptedAPI
from _support import PIPELINE_SERIES, served_aggregations

from streamkap_api.surface import OPERATIONS
from streamkap_sdk import DroppedAggregateWarning, cli
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Fault, Sandbox
from streamkap_sdk.sandbox._server import free_port

IDS = [f"pipe-{n:03d}" for n in range(150)]
SCRIPT = Path(sys.executable).with_name("streamkap-metrics")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "streamkap_sdk.cli"]


def run(
    args: list[str], host: str, *, secret: str = DEFAULT_CLIENT_SECRET, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
    env.update(STREAMKAP_HOST=host, STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID, STREAMKAP_SECRET=secret)
    return subprocess.run(
        [*COMMAND, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("streamkap-metrics: error: ")
    return lines[0]


def test_table_for_150_pipelines(sandbox: Sandbox, engine: Engine) -> None:
    done = run(["pipelines", "--ids", ",".join(IDS)], sandbox.url)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["aggregation", "id", *PIPELINE_SERIES]
    assert [row.split()[:2] for row in rows] == [
        *([aggregation, i] for aggregation in served_aggregations("pipelines") for i in IDS),
        ["account", "account"],
    ]
    assert engine.metrics_requests == 1


def test_json_parses(sandbox: Sandbox, engine: Engine) -> None:
    done = run(["pipelines", "--ids", ",".join(IDS[:20]), "--format", "json"], sandbox.url)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload["connector_metrics"]) == IDS[:20]
    assert set(payload["connector_metrics"]["pipe-003"]["latest"]) == set(PIPELINE_SERIES)


def test_csv_timeseries_parses(sandbox: Sandbox, engine: Engine, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# destinations to watch\ndest-1\ndest-2, dest-3  # three\n\n")
    done = run(
        ["destinations", "--ids-file", str(ids_file), "--time-type", "timeseries",
         "--from", "2025-01-15T09:00:00Z", "--to", "2025-01-15T10:00:00Z", "--format", "csv"],
        sandbox.url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == list(cli.CSV_HEADER)
    series = [r for r in rows if r["time_type"] == "timeseries"]
    assert {r["id"] for r in series} == {"dest-1", "dest-2", "dest-3"}
    stamps = {dt.datetime.fromisoformat(r["timestamp"]) for r in series}
    assert min(stamps) == dt.datetime(2025, 1, 15, 9, 1, tzinfo=dt.UTC)
    assert all(float(r["value"]) >= 0 for r in series)
    assert engine.seen[-1].query["timestamp_from"] == "2025-01-15T09:00:00Z"


def test_progress_bar_for_chunked_queries(sandbox: Sandbox, engine: Engine) -> None:
    done = run(
        ["pipelines", "--ids-file", "-", "--ids-per-request", "50", "--progress",
         "--format", "csv"],
        sandbox.url,
        stdin="\n".join(IDS),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3/3 requests" in done.stderr and done.stderr.endswith("\n")
    assert engine.metrics_requests == 3
    entities = len(IDS) * len(served_aggregations("pipelines")) + 1  # + the account aggregate
    assert len(done.stdout.splitlines()) == 1 + entities * len(PIPELINE_SERIES)


def test_bad_credentials_exit_3(sandbox: Sandbox, engine: Engine) -> None:
    done = run(["pipelines", "--ids", "a"], sandbox.url, secret="not-the-secret")
    assert done.returncode == cli.EXIT_AUTH == 3
    line = one_error_line(done)
    assert "authentication failed" in line and "401" in line
    assert "not-the-secret" not in done.stderr and done.stdout == ""


def test_unreachable_host_exit_5() -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # bound and released: nothing listens there
    done = run(["pipelines", "--ids", "a", "--max-retries", "1"], closed)
    assert done.returncode == cli.EXIT_NETWORK == 5
    assert "network error" in one_error_line(done)


def test_bad_time_type_exit_2(sandbox: Sandbox, engine: Engine) -> None:
    done = run(["pipelines", "--ids", "a", "--time-type", "hourly"], sandbox.url)
    assert done.returncode == cli.EXIT_USAGE == 2
    assert "--time-type" in one_error_line(done)
    assert engine.metrics_requests == 0


# In-process: the same `main()`, faster, for the remaining paths.


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, engine: Engine) -> Engine:
    monkeypatch.setenv("STREAMKAP_HOST", sandbox.url)
    monkeypatch.setenv("STREAMKAP_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("STREAMKAP_SECRET", DEFAULT_CLIENT_SECRET)
    return engine


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["pipelines"],
        ["pipelines", "--ids", " , "],
        ["jobs", "--ids", "a"],
        ["pipelines", "--ids", "a", "--since", "1h", "--from", "2025-01-15T09:00:00Z"],
        ["pipelines", "--ids", "a", "--since", "soon"],
        ["pipelines", "--ids", "a", "--from", "2025-01-15T09:00:00"],
        ["pipelines", "--ids", "a", "--from", "2025-01-15T10:00:00Z", "--to", "2025-01-15T09:00Z"],
        ["pipelines", "--ids", "a", "--ids-per-request", "0"],
        ["pipelines", "--ids", "a", "--timeout", "nan"],
        ["pipelines", "--ids-file", "/nonexistent/ids.txt"],
        ["pipelines", "--ids", "a", "--project-key", "/nonexistent/key.json"],
    ],
)
def test_usage_errors_exit_2(
    env: Engine, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert cli.main(args) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("streamkap-metrics: error: ")
    assert env.metrics_requests == 0


def test_missing_credentials_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == (
        "streamkap-metrics: error: no credentials: set STREAMKAP_CLIENT_ID and STREAMKAP_SECRET "
        "(or STREAMKAP_ACCESS_TOKEN), or pass --project-key FILE\n"
    )


@pytest.mark.parametrize(
    ("variable", "missing"),
    [("STREAMKAP_CLIENT_ID", "STREAMKAP_SECRET"), ("STREAMKAP_SECRET", "STREAMKAP_CLIENT_ID")],
)
def test_incomplete_credentials_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, missing: str
) -> None:
    monkeypatch.setenv(variable, "x")
    monkeypatch.setenv("STREAMKAP_ACCESS_TOKEN", "a-token")  # does not make up for the other half
    assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == (
        f"streamkap-metrics: error: incomplete credentials: {variable} is set but {missing} is "
        "not; set both, or pass --project-key FILE\n"
    )


def test_an_access_token_is_enough(env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMKAP_CLIENT_ID")
    monkeypatch.delenv("STREAMKAP_SECRET")
    monkeypatch.setenv("STREAMKAP_ACCESS_TOKEN", "not-a-real-token")
    assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_AUTH  # sent, and refused


def test_api_error_exit_4(env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    env.add_fault(Fault("status", status=400, detail="ids: too many"))
    assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_API
    err = capsys.readouterr().err
    assert err.startswith("streamkap-metrics: error: API error: HTTP 400") and "too many" in err


def test_project_key(env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.json"
    api = {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    key.write_text(json.dumps({"api": {**api, "api_url": os.environ["STREAMKAP_HOST"]}}))
    for name in ("STREAMKAP_CLIENT_ID", "STREAMKAP_SECRET", "STREAMKAP_HOST"):
        os.environ.pop(name)  # the fixture's monkeypatch restores them
    args = ["pipelines", "--ids", "a", "--level", "task", "--since", "10m"]
    assert cli.main([*args, "--time-type", "timeseries", "--project-key", str(key)]) == 0
    header, first, *_ = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["aggregation", "id", "key", "timestamp"]
    assert first.split()[:3] == ["task", "a", "a-task-0"]


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    resources = ",".join(op.resource for op in OPERATIONS)
    assert out.startswith(
        f"usage: streamkap-metrics {{{resources}}} (--ids ID,ID,... and/or --ids-file FILE)"
    )
    for text in (
        "exit codes:",
        "  3    authentication",
        "  130  interrupted (Ctrl+C)",
        "STREAMKAP_SECRET",
        "ids (--ids, --ids-file or both: at least one id in all)",
    ):
        assert text in out
    level = (
        "--level LEVEL Metrics aggregation level (e.g., 'connector', 'task', 'topic') "
        "(default: connector); other values are passed to the API as given"
    )
    assert level in " ".join(out.split())
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("streamkap-metrics ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", dt.timedelta(seconds=90)),
        ("15m", dt.timedelta(minutes=15)),
        ("1h30m", dt.timedelta(minutes=90)),
        ("1.5h", dt.timedelta(minutes=90)),
        ("7d", dt.timedelta(days=7)),
        ("2w", dt.timedelta(weeks=2)),
    ],
)
def test_durations(text: str, expected: dt.timedelta) -> None:
    assert cli.duration(text) == expected


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "1h 30m", "-1h", "0m", "1h30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="duration"):
        cli.duration(text)


def test_ids_and_ids_file_combine(
    env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("b\nc\n")
    assert cli.main(["pipelines", "--ids", "a", "--ids-file", str(ids_file)]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    per_map = ["a", "b", "c"] * len(served_aggregations("pipelines"))
    assert [row.split()[1] for row in rows] == [*per_map, "account"]


def test_interrupted_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fetch(args: argparse.Namespace) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_fetch", fetch)
    assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "streamkap-metrics: error: interrupted\n"


NOTE = "streamkap-metrics: note: {what} for {n} (their rows are empty)\n"


@pytest.mark.parametrize(
    ("level", "first_rows"),
    [
        ("connector", [["connector", "a"], ["connector", "b"]]),
        ("task", [["task", "a", "a-task-0"], ["task", "b", "b-task-0"]]),
    ],
)
def test_table_keeps_entities_without_points(
    env: Engine, capsys: pytest.CaptureFixture[str], level: str, first_rows: list[list[str]]
) -> None:
    args = ["pipelines", "--ids", "a,b", "--time-type", "timeseries", "--time-unit", "month"]
    assert cli.main([*args, "--since", "7d", "--level", level]) == 0  # no month point in 7 days
    out, err = capsys.readouterr()
    header, *rows = out.splitlines()
    lead = ["aggregation", "id", "key"] if level == "task" else ["aggregation", "id"]
    assert header.split() == [*lead, *PIPELINE_SERIES]
    assert [row.split() for row in rows[:2]] == first_rows  # empty metric cells
    others = [r.split()[:2] for r in rows[2:]]
    added = [agg for agg in served_aggregations("pipelines", level) if agg != level]
    assert others == [*([agg, i] for agg in added for i in "ab"), ["account", "account"]]
    n = 2 * (1 + len(added))
    assert err == NOTE.format(what="no points in the window", n=f"{n} entities")


def test_table_rows_for_null_and_empty_entities(capsys: pytest.CaptureFixture[str]) -> None:
    result = {
        "connector_metrics": {
            "a": {"timeseries": {"latency": [{"timestamp": "2025-01-15T10:00:00Z", "value": 1}]}},
            "b": None,
            "c": {"timeseries": {"latency": []}},
        },
        "task_metrics": {"d": {}},
    }
    out = io.StringIO()
    cli._write_table(result, out, block="timeseries")
    assert [line.split() for line in out.getvalue().splitlines()] == [
        ["aggregation", "id", "timestamp", "latency"],
        ["connector", "a", "2025-01-15T10:00:00Z", "1"],
        ["connector", "b"],
        ["connector", "c"],
        ["task", "d"],
    ]
    assert capsys.readouterr().err == NOTE.format(what="no points in the window", n="3 entities")
    cli._write_table({"connector_metrics": {"x": {"latest": None}}}, io.StringIO())
    assert capsys.readouterr().err == NOTE.format(what="no values", n="1 entity")
    cli._write_table({"connector_metrics": {"x": {"latest": {"latency": 2}}}}, io.StringIO())
    assert capsys.readouterr().err == ""  # no note when every entity has values
    empty = io.StringIO()
    cli._write_table({"connector_metrics": {}}, empty)
    assert empty.getvalue() == "(no metrics returned)\n"


def test_warnings_and_unreadable_responses_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fetch(args: argparse.Namespace) -> dict[str, object]:
        warnings.warn("account_metrics differed\nbetween chunks", DroppedAggregateWarning, 1)
        return {"connector_metrics": {"a": {"timeseries": {"latency": [{"timestamp": "?"}]}}}}

    monkeypatch.setattr(cli, "_fetch", fetch)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert cli.main(["pipelines", "--ids", "a"]) == cli.EXIT_API
    assert capsys.readouterr().err.splitlines() == [
        "streamkap-metrics: warning: account_metrics differed between chunks",
        "streamkap-metrics: error: unreadable response: timeseries point of 'latency' for 'a' "
        "has no ISO 8601 timestamp: '?'",
    ]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_table_and_csv_write_strings_utf8_cannot_encode(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lone surrogates (valid JSON: `"RUN\\ud83d"`) in ids, metric names and values: written
    backslash-escaped, whatever the SDK's decoder lets through; the rest as it is."""

    def fetch(args: argparse.Namespace) -> dict[str, object]:
        return {
            "connector_metrics": {
                "a\udc00": {"latest": {"status": "RUN\ud83d", "latency": 1}},
                "b": {"latest": {"status": "RUNNING \u2713", "odd\ud800": "x"}},
            }
        }

    monkeypatch.setattr(cli, "_fetch", fetch)
    assert cli.main(["pipelines", "--ids", "a,b", "--format", fmt]) == cli.EXIT_OK
    out, err = capsys.readouterr()  # pytest's stdout, like a real one, encodes strictly
    assert err == ""
    if fmt == "csv":
        rows = [(r["id"], r["metric"], r["value"]) for r in csv.DictReader(io.StringIO(out))]
        assert rows == [
            ("a\\udc00", "status", "RUN\\ud83d"),
            ("a\\udc00", "latency", "1"),
            ("b", "status", "RUNNING \u2713"),
            ("b", "odd\\ud800", "x"),
        ]
    else:
        header, *rows = out.splitlines()
        assert header.split() == ["aggregation", "id", "status", "latency", "odd\\ud800"]
        assert [row.split() for row in rows] == [
            ["connector", "a\\udc00", "RUN\\ud83d", "1"],
            ["connector", "b", "RUNNING", "\u2713", "x"],
        ]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_a_lone_surrogate_over_http_is_no_crash(fmt: str) -> None:
    """End to end: the SDK's decoder makes a lone surrogate U+FFFD (README: errors, JSON), and
    the command prints it; never a traceback or half an output."""
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {
            "connector_metrics": {"a": {"latest": {"status": "RUN\ud83d", "latency": 1}}}
        }
        done = run(["pipelines", "--ids", "a", "--format", fmt], api.url)
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert "RUN\ufffd" in done.stdout and done.stderr == ""


# -- connection flags, logging, ids files, messages in the command's words ------------------


def test_host_flag_beats_streamkap_host(env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox_url = os.environ["STREAMKAP_HOST"]
    monkeypatch.setenv("STREAMKAP_HOST", f"http://127.0.0.1:{free_port()}")  # nothing there
    assert cli.main(["pipelines", "--ids", "a", "--host", sandbox_url, "--max-retries", "0"]) == 0
    assert env.metrics_requests == 1


def test_host_flag_without_streamkap_host(env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox_url = os.environ.pop("STREAMKAP_HOST")  # the fixture's monkeypatch restores it
    assert cli.main(["pipelines", "--ids", "a", "--host", sandbox_url]) == 0
    assert env.metrics_requests == 1


def test_host_flag_beats_the_project_keys_api_url(env: Engine, tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    api = {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    key.write_text(json.dumps({"api": {**api, "api_url": f"http://127.0.0.1:{free_port()}"}}))
    sandbox_url = os.environ.pop("STREAMKAP_HOST")
    args = ["pipelines", "--ids", "a", "--project-key", str(key), "--host", sandbox_url]
    assert cli.main([*args, "--max-retries", "0"]) == 0
    assert env.metrics_requests == 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [("api.streamkap.com", "'api.streamkap.com' is not"), ("ftp://h", "'ftp://h' is not"),
     ("https://user:hunter2@", "not")],
)  # fmt: skip
def test_bad_host_exit_2_before_anything_is_sent(
    env: Engine, capsys: pytest.CaptureFixture[str], value: str, shown: str
) -> None:
    assert cli.main(["pipelines", "--ids", "a", "--host", value]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err == (
        f"streamkap-metrics: error: argument --host: {shown} a full http(s) URL "
        "(e.g. https://api.streamkap.com) (see --help)\n"
    )
    assert "hunter2" not in err and env.metrics_requests == 0 and env.token_requests == 0


def test_tenant_ids_flag_repeats_and_goes_in_the_body(env: Engine) -> None:
    args = ["pipelines", "--ids", "a", "--tenant-ids", "t1, t2", "--tenant-ids", "t3"]
    assert cli.main(args) == 0
    assert env.seen[-1].body["tenant_ids"] == ["t1", "t2", "t3"]
    assert "tenant_ids" not in env.seen[-1].query


def test_tenant_ids_help_says_comma_separated_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    line = help_text.split("--tenant-ids ID,ID,...", 1)[1].split(" --", 1)[0]
    assert line.lower().count("comma-separated") == 1 and "may be repeated" in line


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_ids_file_with_a_byte_order_mark(
    env: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    text = "\ufeffa\nb  # second\n"  # as Notepad or PowerShell's Out-File -Encoding utf8 write it
    if source == "file":
        (tmp_path / "ids.txt").write_text(text, encoding="utf-8")
        where = str(tmp_path / "ids.txt")
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
        where = "-"
    assert cli.main(["pipelines", "--ids-file", where, "--format", "json"]) == 0
    assert env.seen[-1].body["ids"] == ["a", "b"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-01-15T10:00:00Z", "--to", "2025-01-15T09:00Z"],
         "--from: 2025-01-15T10:00:00Z is after --to 2025-01-15T09:00:00Z"),
        (["--ids", "b", "--cursor", "k", "--ids-per-request", "1"],
         "--cursor: paging cannot be combined with 2 ids, which are sent in 2 requests of at "
         "most 1 ids; page within one request's ids instead (or raise --ids-per-request)"),
    ],
)  # fmt: skip
def test_errors_name_the_flags_not_the_keywords(
    env: Engine, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert cli.main(["pipelines", "--ids", "a", *args]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == f"streamkap-metrics: error: {message}\n"
    assert env.metrics_requests == 0


def test_verbose_logs_the_sdk_on_stderr(sandbox: Sandbox, engine: Engine) -> None:
    engine.add_fault(Fault("status", status=503, times=1, retry_after="0"))
    quiet = run(["pipelines", "--ids", "a"], sandbox.url)
    assert quiet.returncode == 0 and quiet.stderr == ""  # the retry happened, unlogged
    engine.add_fault(Fault("status", status=503, times=1, retry_after="0"))
    loud = run(["pipelines", "--ids", "a", "--verbose", "--format", "json"], sandbox.url)
    assert loud.returncode == 0, loud.stderr
    json.loads(loud.stdout)  # the log stays off stdout
    lines = loud.stderr.splitlines()
    assert lines and all(line.startswith("streamkap-metrics: ") for line in lines)
    assert any("DEBUG streamkap_sdk:" in line for line in lines), loud.stderr
    assert any("retrying POST /pipelines/metrics" in line for line in lines), loud.stderr
    assert DEFAULT_CLIENT_SECRET not in loud.stderr
    assert "Bearer" not in loud.stderr


def test_verbose_in_process_leaves_no_handler_behind(
    env: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("streamkap_sdk")
    before, level = list(logger.handlers), logger.level
    try:
        assert cli.main(["pipelines", "--ids", "a", "-v"]) == 0
        assert logger.handlers == before  # its handler wrote to this test's (captured) stderr
        assert "streamkap-metrics: DEBUG streamkap_sdk: " in capsys.readouterr().err
    finally:
        logger.setLevel(level)  # --verbose set the process's level, as a command does
