"""`streamkap-metrics serve` / `python -m streamkap_sdk.exporter`: the exporter as a command."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Final, NoReturn

from .._config import DEFAULT_BASE_URL, ENV_ACCESS_TOKEN, ENV_CLIENT_ID, ENV_HOST, ENV_SECRET
from .._errors import AuthenticationError, ConfigurationError
from .._export import MissingDependencyError
from .._params import normalize_id_list
from .._version import __version__
from ..cli import _check_credentials, _UsageError, host  # the command's advice, said once
from ._spec import Resource, resources

__all__ = ["main"]

PROG: Final = "python -m streamkap_sdk.exporter"
EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXPORTER_HINT: Final = "the exporter needs prometheus-client: pip install 'streamkap-sdk[exporter]'"
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DESCRIPTION: Final = """\
Serve Streamkap's latest metrics to Prometheus: /metrics in the Prometheus text format, and
/healthz. A background refresh fetches the latest metrics of the ids given every --interval
(one split call per resource); scrapes render the last refresh and never call the API."""
EPILOG: Final = """\
credentials:
  {env} from the environment,
  or --project-key FILE. --host (or STREAMKAP_HOST) selects the API
  (default https://api.streamkap.com).

exit codes:
  0    stopped by SIGTERM or Ctrl+C
  2    bad configuration (arguments, credentials missing, or refused on the first refresh, an
       address that cannot be listened on)

example:
  {example} --listen 0.0.0.0:9464"""
_SECONDS: Final = re.compile(r"(\d+(?:\.\d+)?)(s|m|h)?")
_UNIT: Final = {None: 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


class _Stop(Exception):
    """Raised by the SIGTERM handler in the main thread, as SIGINT raises KeyboardInterrupt."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr, exit 2 (argparse prints the whole usage block otherwise)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def seconds(minimum: float) -> Any:
    """`30`, `30s`, `1.5m`, `1h` as seconds, at least `minimum` (argparse `type=`)."""

    def parse(text: str) -> float:
        match = _SECONDS.fullmatch(text.strip())
        value = float(match[1]) * _UNIT[match[2]] if match else None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected seconds >= {minimum:g} (e.g. 60, 90s, 5m), got {text!r}"
            )
        return value

    return parse


def count(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    return parse


def listen_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:9464` for IPv6; port 0 picks a free one) (argparse `type=`)."""
    host, sep, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    port = int(port_text) if port_text.isdigit() else -1
    if not sep or not host or not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"invalid address {text!r}: use HOST:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464"
        )
    return host, port


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    from ._service import DEFAULT_INTERVAL, DEFAULT_PORT

    specs = resources()
    names = [spec.resource for spec in specs]
    parser = _Parser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG.format(
            env=f"{ENV_CLIENT_ID} and {ENV_SECRET} (or {ENV_ACCESS_TOKEN})",
            example=f"{prog} --{names[0]} p1,p2 --{names[-1]}-file ids.txt",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ids = parser.add_argument_group(
        "what to watch (at least one id in all; files: one id per line, commas also separate, "
        "'#' starts a comment, '-' reads stdin)"
    )
    for spec in specs:
        ids.add_argument(
            f"--{spec.resource}", action="append", default=[], metavar="ID,ID,...",
            dest=f"ids_{spec.resource}",
            help=f"comma-separated {spec.entity} ids; may be repeated",
        )  # fmt: skip
        ids.add_argument(
            f"--{spec.resource}-file", type=Path, action="append", default=[], metavar="FILE",
            dest=f"files_{spec.resource}", help=f"{spec.entity} ids from FILE; may be repeated",
        )  # fmt: skip
    serve = parser.add_argument_group("serving")
    serve.add_argument(
        "--listen", type=listen_address, default=("127.0.0.1", DEFAULT_PORT),
        metavar="HOST:PORT", help=f"address to serve on (default 127.0.0.1:{DEFAULT_PORT})",
    )  # fmt: skip
    serve.add_argument(
        "--interval", type=seconds(1.0), default=DEFAULT_INTERVAL, metavar="SECONDS",
        help=f"seconds between refreshes (default {DEFAULT_INTERVAL:g}; 90s, 5m also work)",
    )  # fmt: skip
    serve.add_argument(
        "--deadline", type=seconds(0.001), default=None, metavar="SECONDS",
        help="bound of each refresh's calls, retries included (default: the interval)",
    )  # fmt: skip
    serve.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info",
        help="info (default): one line per refresh; debug adds the SDK's retries and requests",
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
        "--ids-per-request", type=count(1), default=None, metavar="N",
        help="at most N ids per request (default 1000)",
    )  # fmt: skip
    conn.add_argument(
        "--max-retries", type=count(0), default=None, metavar="N",
        help="retries of a failed request (default 2)",
    )  # fmt: skip
    conn.add_argument(
        "--timeout", type=seconds(0.001), default=None, metavar="SECONDS",
        help="per-request read timeout (default 30)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Run the exporter until SIGTERM or Ctrl+C; returns the exit code (0, or 2: bad config)."""
    try:
        import prometheus_client  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "prometheus_client":
            raise
        return _fail(prog, str(MissingDependencyError(EXPORTER_HINT)))
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        exporter = _exporter(args)
    except (_UsageError, ConfigurationError, ValueError) as exc:
        return _fail(prog, str(exc))
    _configure_logging(args.log_level)
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        try:
            exporter.start()
        except OSError as exc:
            host, port = args.listen
            return _fail(prog, f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        logging.getLogger("streamkap_sdk.exporter").info(
            "serving %s/metrics; refreshing %s every %g s",
            exporter.url,
            ", ".join(
                f"{name} ({len(ids)} id{'' if len(ids) == 1 else 's'})"
                for name, ids in exporter.watched.items()
            ),
            exporter.interval,
        )
        while not exporter.wait_for_refreshes(1, timeout=3600):  # signals end the wait
            pass
        refused = _refused(args, exporter.first_refresh_errors or {})
        if refused is not None:  # no later refresh would do better: a configuration error
            return _fail(prog, refused)
        while True:  # the refresh thread never ends on its own; signals end the wait
            exporter.wait_for_refreshes(sys.maxsize, timeout=3600)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM does not cut cleanup
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl+C while stopping
            exporter.stop()
        signal.signal(signal.SIGTERM, previous)
    logging.getLogger("streamkap_sdk.exporter").info("stopped")
    return EXIT_OK


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_USAGE


def _refused(args: argparse.Namespace, errors: Mapping[str, Exception]) -> str | None:
    """The line saying what to fix, when the first refresh found the credentials refused.

    Refusals after a good first refresh (a key revoked later) are the API's failures as any
    other: streamkap_up and streamkap_refresh_errors_total say so, and the exporter runs on.
    """
    error = next((e for e in errors.values() if isinstance(e, AuthenticationError)), None)
    if error is None:
        return None
    message = str(error).removesuffix("; check client_id and client_secret")
    if args.project_key is not None:
        fix = f"check the project key {str(args.project_key)!r}"
    elif os.environ.get(ENV_CLIENT_ID):
        fix = f"check {ENV_CLIENT_ID} and {ENV_SECRET}"
    else:
        fix = f"check {ENV_ACCESS_TOKEN}, or set {ENV_CLIENT_ID} and {ENV_SECRET} instead"
    return f"credentials refused: {message}; {fix}"


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # One line per refresh at INFO: the SDK's own INFO lines (each retry) only at debug.
    logging.getLogger("streamkap_sdk").setLevel(
        logging.DEBUG if level == "debug" else logging.WARNING
    )
    logging.getLogger("streamkap_sdk.exporter").setLevel(level.upper())
    logging.captureWarnings(True)
    # Account aggregates are not exported, so one dropped from a merged answer is no news.
    from .._merge import DroppedAggregateWarning

    warnings.filterwarnings("ignore", category=DroppedAggregateWarning)


def _exporter(args: argparse.Namespace) -> Any:
    from .._client import AsyncStreamkapClient
    from ._service import Exporter

    ids = {spec.resource: _collect_ids(args, spec) for spec in resources()}
    if not any(ids.values()):
        flags = " and/or ".join(f"--{spec.resource}" for spec in resources())
        raise _UsageError(f"no ids: give {flags} (or their -file options; see --help)")
    if args.project_key is None:
        _check_credentials(os.environ)
    settings: dict[str, Any] = {}
    for option, setting in (
        ("host", "base_url"),  # as STREAMKAP_HOST, which an explicit base_url= beats
        ("ids_per_request", "max_ids_per_request"),
        ("max_retries", "max_retries"),
        ("timeout", "timeout"),
    ):
        if getattr(args, option) is not None:
            settings[setting] = getattr(args, option)
    client = (
        AsyncStreamkapClient.from_project_key(args.project_key, **settings)
        if args.project_key is not None
        else AsyncStreamkapClient(**settings)
    )
    host, port = args.listen
    return Exporter(
        client,
        {name: found for name, found in ids.items() if found},
        interval=args.interval,
        deadline=args.deadline,
        host=host,
        port=port,
    )


def _collect_ids(args: argparse.Namespace, spec: Resource) -> list[str]:
    raw: list[str] = []
    for value in getattr(args, f"ids_{spec.resource}"):
        raw.extend(value.split(","))
    for path in getattr(args, f"files_{spec.resource}"):
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise _UsageError(
                f"cannot read --{spec.resource}-file {str(path)!r}: {reason}"
            ) from None
        for line in text.splitlines():
            raw.extend(line.split("#", 1)[0].split(","))
    try:
        return normalize_id_list(raw)
    except ValueError as exc:
        raise _UsageError(f"--{spec.resource}: {exc}") from None
