"""`streamkap-metrics`: pipeline and destination metrics from the command line."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, NoReturn

import httpx
from dateutil import parser as date_parser

from ._client import DEFAULT_MAX_IDS_PER_REQUEST, StreamkapClient
from ._config import DEFAULT_BASE_URL, ENV_ACCESS_TOKEN, ENV_CLIENT_ID, ENV_HOST, ENV_SECRET
from ._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    InvalidParameterError,
    PermissionDeniedError,
    StreamkapError,
)
from ._export import MetricRecord, entity_keys, to_records
from ._operations import OPERATIONS, QueryParam
from ._params import (
    as_text,
    choices,
    format_utc,
    normalize_id_list,
    text_kind,
    text_reader,
)
from ._version import __version__

__all__ = ["main"]

PROG: Final = "streamkap-metrics"
EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_API: Final = 4
EXIT_NETWORK: Final = 5
EXIT_INTERRUPTED: Final = 130

RESOURCES: Final = tuple(op.resource for op in OPERATIONS)
USAGE: Final = f"""\
%(prog)s {{{",".join(RESOURCES)}}} (--ids ID,ID,... and/or --ids-file FILE)
         [--time-type TYPE] [--since DURATION | --from TIMESTAMP] [--to TIMESTAMP]
         [--format {{table,json,csv}}] [options]"""

DESCRIPTION: Final = """\
Fetch pipeline or destination metrics from the Streamkap API and print them as a table, JSON
(the API's response) or CSV (one row per value). Any number of ids: long lists are sent in
several requests and merged. Give the ids with --ids (repeatable), --ids-file, or both
combined: at least one id in all. `%(prog)s serve` runs a Prometheus exporter instead
(see `%(prog)s serve --help`)."""

EPILOG: Final = f"""\
credentials:
  {ENV_CLIENT_ID} and {ENV_SECRET} (or {ENV_ACCESS_TOKEN}) from the environment,
  or --project-key FILE. --host (or {ENV_HOST}) selects the API (default {DEFAULT_BASE_URL}).

exit codes:
  {EXIT_OK:<3}  success
  {EXIT_USAGE:<3}  usage or configuration error (bad arguments, missing credentials); nothing sent
  {EXIT_AUTH:<3}  authentication failed (credentials or token refused, permission denied)
  {EXIT_API:<3}  the API answered with an error, or with a response the SDK cannot read
  {EXIT_NETWORK:<3}  network failure: the API could not be reached or did not answer in time
  {EXIT_INTERRUPTED:<3}  interrupted (Ctrl+C)

examples:
  {PROG} pipelines --ids p1,p2,p3
  {PROG} destinations --ids-file ids.txt --time-type timeseries --since 1h --format csv
  {PROG} pipelines --ids p1 --time-type timesummary \\
      --from 2025-01-15T09:00:00Z --to 2025-01-15T10:00:00Z --format json
  {PROG} pipelines --ids p1 --host http://127.0.0.1:8000 --verbose"""

_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
CSV_HEADER: Final = MetricRecord._fields
#: The flags of the command's own settings, by the SDK's keyword (for error messages); the
#: API's parameters add theirs from the surface (`_flags`).
OWN_FLAGS: Final = {
    "ids": "--ids",
    "since": "--since",
    "max_ids_per_request": "--ids-per-request",
    "max_retries": "--max-retries",
    "timeout": "--timeout",
    "base_url": "--host",
}
LOGGER: Final = "streamkap_sdk"
NO_CREDENTIALS: Final = (
    f"no credentials: set {ENV_CLIENT_ID} and {ENV_SECRET} (or {ENV_ACCESS_TOKEN}), "
    "or pass --project-key FILE"
)


class _UsageError(StreamkapError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr, exit 2 (argparse prints the whole usage block otherwise)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def duration(text: str) -> dt.timedelta:
    """`90s`, `15m`, `1h`, `1h30m`, `7d`, `2w` as a timedelta (argparse `type=`)."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use a number and a unit, e.g. 90s, 15m, 1h30m, 7d"
        )
    total = dt.timedelta()
    try:
        for number, unit in parts:
            total += dt.timedelta(**{_UNITS[unit]: float(number)})
    except OverflowError:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}: too long") from None
    if total <= dt.timedelta(0):
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}: must be positive")
    return total


def timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp with a time zone (argparse `type=`)."""
    try:
        moment = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"invalid timestamp {text!r}: use ISO 8601, e.g. 2025-01-15T09:00:00Z"
        ) from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"timestamp {text!r} needs a time zone, e.g. 2025-01-15T09:00:00Z or +02:00"
        )
    return moment


def _number(kind: Callable[[str], Any], minimum: float, what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value != value or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


def host(text: str) -> str:
    """A full http(s) URL (argparse `type=`); the client checks the rest, as for STREAMKAP_HOST."""
    try:
        url: httpx.URL | None = httpx.URL(text)
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        shown = f"{text!r} is " if "@" not in text else ""  # a URL's password is never echoed
        raise argparse.ArgumentTypeError(f"{shown}not a full http(s) URL (e.g. {DEFAULT_BASE_URL})")
    return text


positive_int = _number(int, 1, "a positive integer")
count = _number(int, 0, "an integer >= 0")
seconds = _number(float, 1e-3, "a positive number of seconds")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("resource", choices=RESOURCES, help="which metrics to fetch")
    ids = parser.add_argument_group("ids (--ids, --ids-file or both: at least one id in all)")
    ids.add_argument(
        "--ids", action="append", default=[], metavar="ID,ID,...",
        help="comma-separated ids; may be repeated",
    )  # fmt: skip
    ids.add_argument(
        "--ids-file", type=Path, metavar="FILE",
        help="ids one per line (commas also separate, '#' starts a comment; '-' reads stdin); "
        "added to those of --ids",
    )  # fmt: skip
    _add_parameter_flags(parser, "what to fetch (the API's parameters)")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format", choices=("table", "json", "csv"), default="table",
        help="table (default), json (the API's response) or csv (one row per value)",
    )  # fmt: skip
    output.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="progress bar on stderr for multi-request queries (default: when stderr is a TTY)",
    )  # fmt: skip
    output.add_argument(
        "--verbose", "-v", action="store_true",
        help="log each request, its retries and token renewals on stderr (the SDK's DEBUG log; "
        "never a secret)",
    )  # fmt: skip
    conn = parser.add_argument_group("connection")
    conn.add_argument(
        "--host", type=host, metavar="URL",
        help=f"the API's base URL, as {ENV_HOST} (which it overrides; default {DEFAULT_BASE_URL}; "
        "a project key's api_url otherwise)",
    )  # fmt: skip
    conn.add_argument(
        "--project-key", type=Path, metavar="FILE",
        help="a Streamkap project key (JSON) instead of the environment's credentials",
    )  # fmt: skip
    conn.add_argument(
        "--ids-per-request", type=positive_int, default=DEFAULT_MAX_IDS_PER_REQUEST, metavar="N",
        help=f"at most N ids per request (default {DEFAULT_MAX_IDS_PER_REQUEST})",
    )  # fmt: skip
    conn.add_argument(
        "--max-retries", type=count, default=None, metavar="N",
        help="retries of a failed request (default 2)",
    )  # fmt: skip
    conn.add_argument(
        "--timeout", type=seconds, default=None, metavar="SECONDS",
        help="per-request read timeout (default 30)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def parameters() -> list[QueryParam]:
    """The query parameters of every operation, once per wire name (the CLI's flags)."""
    found: dict[str, QueryParam] = {}
    for op in OPERATIONS:
        for param in op.query:
            found.setdefault(param.wire, param)
    return list(found.values())


def _help(param: QueryParam) -> str:
    text = (param.description or param.title).rstrip(".")
    if param.default is not None:
        text += f" (default: {param.default})"
    if param.values is None and param.examples:
        text += "; other values are passed to the API as given"
    return text.replace("%", "%%")


def _add_parameter_flags(parser: argparse.ArgumentParser, title: str) -> None:
    """One flag per query parameter of the spec (ids have their own group), typed from it, in
    a group of their own."""
    group = parser.add_argument_group(title)
    params = parameters()
    window = group.add_mutually_exclusive_group()
    for param in params:
        kwargs: dict[str, Any] = {"dest": param.name, "help": _help(param)}
        target: Any = group
        if param.role == "split":
            continue
        if param.role == "whole":
            kwargs.update(action="append", metavar="ID,ID,...")
            said = "comma-separated" in kwargs["help"].lower()
            kwargs["help"] += "; may be repeated" if said else "; comma-separated, may be repeated"
        elif param.role in ("window_start", "window_end"):
            kwargs.update(type=timestamp, metavar="TIMESTAMP")
            kwargs["help"] = kwargs["help"].split(" (ISO")[0] + ", ISO 8601 with a time zone"
            if param.role == "window_start":
                target = window
        else:
            kwargs.update(_typed(param))
            if kwargs.get("action") == "append":
                kwargs["help"] += "; comma-separated, may be repeated"
        target.add_argument(param.flag, **kwargs)
    if any(p.role == "window_start" for p in params):
        window.add_argument(
            "--since", type=duration, metavar="DURATION",
            help="window ending now (or at the window's end): e.g. 15m, 1h, 7d",
        )  # fmt: skip


def _typed(param: QueryParam) -> dict[str, Any]:
    """argparse keywords of a parameter's flag, from the spec's schema of the parameter: its text
    read as the SDK takes the value (`true`/`false`, numbers, a closed set's values as typed,
    comma-separated lists), any other text passed as it is (the SDK checks it)."""
    kind = text_kind(param)
    read = text_reader(param)

    def parse(text: str) -> object:
        try:
            return read(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    if kind == "choice":
        closed = choices(param)
        if all(isinstance(value, str) for value in closed):
            return {"choices": closed}
        shown = ",".join(map(as_text, closed))
        return {"choices": closed, "type": _or_text(read), "metavar": f"{{{shown}}}"}
    if kind == "string":
        return {"metavar": param.wire.upper()}
    if kind == "array":
        return {"type": parse, "action": "append", "metavar": f"{param.wire.upper()},..."}
    metavar = {"boolean": "{true,false}", "integer": "N", "number": "NUMBER"}[kind]
    return {"type": parse, "metavar": metavar}


def _or_text(read: Callable[[str], object]) -> Callable[[str], object]:
    """`read`, or the text itself when it is no value (argparse then says "invalid choice")."""

    def parse(text: str) -> object:
        try:
            return read(text)
        except ValueError:
            return text

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (see EPILOG)."""
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in[:1] == ["serve"]:  # the Prometheus exporter: its own options and parser
        from .exporter import main as serve

        return serve(args_in[1:], prog=f"{PROG} serve")
    parser = build_parser()
    try:
        args = parser.parse_args(args_in)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    logger = logging.getLogger(LOGGER)
    handler = _log_to_stderr(logger) if args.verbose else None
    try:
        return _run(args)
    finally:  # main() may run in-process (tests, a REPL), where stderr may be swapped later
        if handler is not None:
            logger.removeHandler(handler)


def _run(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warn
            result = _fetch(args)
        _write(result, args.format, sys.stdout, block=_block(args))
        sys.stdout.flush()
    except InvalidParameterError as exc:
        return _fail(EXIT_USAGE, _in_flags(exc))
    except (_UsageError, ConfigurationError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except (AuthenticationError, PermissionDeniedError) as exc:
        return _fail(EXIT_AUTH, f"authentication failed: {exc}")
    except APIConnectionError as exc:
        return _fail(EXIT_NETWORK, f"network error: {exc}")
    except APIError as exc:
        return _fail(EXIT_API, f"API error: {exc}")
    except ValueError as exc:  # from to_records: a timestamp the API sent is not ISO 8601
        return _fail(EXIT_API, f"unreadable response: {exc}")
    except RecursionError:  # writing out values the API nested too deeply
        return _fail(EXIT_API, "unreadable response: values nested too deeply to print")
    except KeyboardInterrupt:
        return _fail(EXIT_INTERRUPTED, "interrupted")
    except BrokenPipeError:  # e.g. `| head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _log_to_stderr(logger: logging.Logger) -> logging.Handler | None:
    """--verbose: the SDK's logger at DEBUG, on stderr (returns the handler it added)."""
    logger.setLevel(logging.DEBUG)
    if any(getattr(h, "stream", None) is sys.stderr for h in logger.handlers):
        return None  # already logging to stderr (e.g. STREAMKAP_LOG): no second copy of each line
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return handler


def _flags() -> dict[str, str]:
    """The CLI flag of each SDK keyword: the API's parameters (from the surface) and ours."""
    return {**{p.name: p.flag for p in parameters()}, **OWN_FLAGS}


def _in_flags(exc: InvalidParameterError) -> str:
    """The SDK's message in the command's words: `--from: ... after --to ...`, not keywords.

    Only names with an underscore are replaced inside the message: those are identifiers,
    never English words (`page` or `size` may be either).
    """
    flags = _flags()
    message = str(exc)
    prefix = f"{exc.parameter}: "
    if message.startswith(prefix):
        base = exc.parameter.split("[", 1)[0]  # ids[3], states[0]: the flag of the list
        message = f"{flags.get(base, exc.parameter)}: {message[len(prefix) :]}"
    coded = sorted((name for name in flags if "_" in name), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, coded)) + r")(?![\w-])")
    return pattern.sub(lambda match: flags[match[1]], message)


def _fail(code: int, message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _warn(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: IO[str] | None = None,
    line: str | None = None,
) -> None:
    """Warnings (e.g. an account aggregate dropped from a merge) as one line, like errors."""
    print(f"{PROG}: warning: {' '.join(str(message).split())}", file=sys.stderr)


def _fetch(args: argparse.Namespace) -> Any:
    ids = _collect_ids(args)
    if args.project_key is None:
        _check_credentials(os.environ)
    settings: dict[str, Any] = {"max_ids_per_request": args.ids_per_request}
    if args.host is not None:  # as STREAMKAP_HOST, which an explicit base_url= beats
        settings["base_url"] = args.host
    if args.max_retries is not None:
        settings["max_retries"] = args.max_retries
    if args.timeout is not None:
        settings["timeout"] = args.timeout
    client = (
        StreamkapClient.from_project_key(args.project_key, **settings)
        if args.project_key is not None
        else StreamkapClient(**settings)
    )
    params: dict[str, Any] = {
        p.name: getattr(args, p.name)
        for p in parameters()
        if p.role != "split" and getattr(args, p.name, None) is not None
    }
    for p in parameters():
        if p.role == "whole" and p.name in params:  # repeated flags of comma-separated ids
            params[p.name] = [i for value in params[p.name] for i in value.split(",")]
        elif p.name in params and p.role is None and text_kind(p) == "array":
            params[p.name] = [item for values in params[p.name] for item in values]
    if getattr(args, "since", None) is not None:
        params["since"] = args.since
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    bar = _ProgressBar(sys.stderr, f"{args.resource} ({len(ids)} ids)") if show else None
    with client:
        try:
            return getattr(client, args.resource).metrics(ids, progress=bar, **params)
        finally:
            if bar is not None:
                bar.close()


def _block(args: argparse.Namespace) -> str:
    """The metrics block asked for (e.g. `latest`): the block parameter's value or default."""
    param = next((p for p in parameters() if p.role == "block"), None)
    if param is None:
        return ""
    return str(getattr(args, param.name, None) or param.default or "")


def _check_credentials(env: Mapping[str, str]) -> None:
    """The environment's credentials, checked as the client would but with the command's advice."""
    client_id, secret = env.get(ENV_CLIENT_ID) or None, env.get(ENV_SECRET) or None
    if bool(client_id) != bool(secret):
        have, missing = (ENV_CLIENT_ID, ENV_SECRET) if client_id else (ENV_SECRET, ENV_CLIENT_ID)
        raise _UsageError(
            f"incomplete credentials: {have} is set but {missing} is not; set both, "
            "or pass --project-key FILE"
        )
    if not client_id and not env.get(ENV_ACCESS_TOKEN):
        raise _UsageError(NO_CREDENTIALS)


def _collect_ids(args: argparse.Namespace) -> list[str]:
    raw: list[str] = []
    for value in args.ids:
        raw.extend(value.split(","))
    if args.ids_file is not None:
        try:
            text = (
                sys.stdin.read()
                if str(args.ids_file) == "-"
                else args.ids_file.read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise _UsageError(f"cannot read --ids-file {str(args.ids_file)!r}: {reason}") from None
        # Notepad and PowerShell's Out-File start UTF-8 files with a byte order mark, which
        # would otherwise become part of the first id
        for line in text.removeprefix("\ufeff").splitlines():
            raw.extend(line.split("#", 1)[0].split(","))
    ids = normalize_id_list(raw)
    if not ids:
        raise _UsageError("no ids: give --ids ID,ID,... and/or --ids-file FILE (see --help)")
    return ids


class _ProgressBar:
    """`progress=` callback drawing `label [#####.....] 3/10 requests` on one line."""

    WIDTH: Final = 30

    def __init__(self, stream: IO[str], label: str) -> None:
        self._stream = stream
        self._label = label
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self._stream.write(f"\r{self._label} [{bar}] {done}/{total} requests")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line, so what follows (a result or an error) starts on its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


# -- output -------------------------------------------------------------------------------


def _write(result: Any, fmt: str, out: IO[str], *, block: str = "") -> None:
    if fmt == "table":
        _write_table(result, out, block=block)
        return
    writers: dict[str, Callable[[Any, IO[str]], None]] = {"json": _write_json, "csv": _write_csv}
    writers[fmt](result, out)


def _write_json(result: Any, out: IO[str]) -> None:
    json.dump(result.to_dict(), out, indent=2, default=str)
    out.write("\n")


def _text(text: str) -> str:
    """`text` as UTF-8 can write it: a lone surrogate (a JSON `\\ud83d` escape alone, which
    is valid JSON but not Unicode text) becomes the six characters `\\ud83d`."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_utc(value)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)  # ASCII: non-ASCII characters as escapes
    return _text(str(value))


def _write_csv(result: Any, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for record in to_records(result):
        writer.writerow([_cell(v) for v in record])


def _write_table(result: Any, out: IO[str], *, block: str = "") -> None:
    """One row per (aggregation, id, task/topic, timestamp), one column per metric.

    Every entity of the response gets at least one row: one without values (e.g. a time series
    with no point in the window) gets a row of empty cells, and a note on stderr says so.
    """
    data = result if isinstance(result, Mapping) else result.to_dict()  # converted once
    records = to_records(data)
    by_entity: dict[tuple[str, str, str], dict[str, dict[str, str]]] = {
        (aggregation, entity, _cell(key)): {} for aggregation, entity, key in entity_keys(data)
    }
    if not records and not by_entity:
        out.write("(no metrics returned)\n")
        return
    metrics: dict[str, None] = {}
    numeric: dict[str, bool] = {}
    for r in records:
        points = by_entity.setdefault((r.aggregation, r.id, _cell(r.key)), {})
        points.setdefault(_cell(r.timestamp), {})[r.metric] = _cell(r.value)
        metrics.setdefault(r.metric, None)
        is_number = isinstance(r.value, int | float) or r.value is None
        numeric[r.metric] = numeric.get(r.metric, True) and is_number
    empty = sum(1 for points in by_entity.values() if not points)
    rows: dict[tuple[str, str, str, str], dict[str, str]] = {
        (*entity, moment): row
        for entity, points in by_entity.items()
        for moment, row in (points or {"": {}}).items()
    }
    lead = ["aggregation", "id", "key", "timestamp"]
    keep = [i for i in range(4) if i < 2 or any(k[i] for k in rows)]
    header = [lead[i] for i in keep] + [_text(m) for m in metrics]
    body = [
        [_text(k[i]) for i in keep] + [row.get(m, "") for m in metrics] for k, row in rows.items()
    ]
    right = [False] * len(keep) + [numeric[m] for m in metrics]
    widths = [max(len(h), *(len(line[c]) for line in body)) for c, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(w) if r else cell.ljust(w)
            for cell, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(header) + "\n")
    for cells in body:
        out.write(line(cells) + "\n")
    if empty:
        what = "no points in the window" if _is_series(block) else "no values"
        noun = "entity" if empty == 1 else "entities"
        print(f"{PROG}: note: {what} for {empty} {noun} (their rows are empty)", file=sys.stderr)


def _is_series(block: str) -> bool:
    """Whether the metrics of `block` are time series (of points in a window)."""
    return any(field.series for op in OPERATIONS for field in op.metrics.get(block, ()))


if __name__ == "__main__":
    sys.exit(main())
