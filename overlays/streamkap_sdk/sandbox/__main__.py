"""`python -m streamkap_sdk.sandbox --port N`: serve the sandbox on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Final, NoReturn

from .._export import MissingDependencyError
from ._engine import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine

PROG: Final = "python -m streamkap_sdk.sandbox"
HOST: Final = "127.0.0.1"


def port_number(text: str) -> int:
    """A TCP port, 0-65535 (argparse `type=`)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use 0-65535 (0 = a free one)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--port", type=port_number, default=0, metavar="PORT",
        help=f"port on {HOST} (0 = pick a free one)",
    )  # fmt: skip
    parser.add_argument(
        "--token-lifetime", type=float, default=3600.0, metavar="SECONDS",
        help="lifetime of the tokens it issues",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the deterministic metrics"
    )
    parser.add_argument(
        "--client-id", default=DEFAULT_CLIENT_ID, metavar="ID", help="client id to accept"
    )
    parser.add_argument(
        "--client-secret", default=DEFAULT_CLIENT_SECRET, metavar="SECRET",
        help="client secret to accept",
    )  # fmt: skip
    return parser


def banner(url: str, client_id: str, client_secret: str) -> list[str]:
    """What the sandbox prints once it listens; never a secret the user chose."""
    secret = (
        f"the --client-secret value (default {DEFAULT_CLIENT_SECRET})"
        if client_secret == DEFAULT_CLIENT_SECRET
        else "the --client-secret value you passed (not shown)"
    )
    return [
        f"Streamkap sandbox listening on {url}",
        f"  client id: {client_id}",
        f"  client secret: {secret}",
    ]


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from ._server import Sandbox
    except MissingDependencyError as exc:
        return _fail(str(exc))

    engine = Engine(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        seed=args.seed,
    )
    sandbox = Sandbox(engine, host=HOST, port=args.port)
    try:  # Ctrl+C at any point, even while starting, stops the server and exits 0
        sandbox.start()
        for line in banner(sandbox.url, args.client_id, args.client_secret):
            print(line, flush=True)
        sandbox._thread.join()
    except RuntimeError as exc:  # the port is in use, or the server did not start
        return _fail(str(exc))
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


def run() -> NoReturn:
    """The command: main(), then exit at once. Tearing the interpreter down (FastAPI, pydantic
    and uvicorn loaded) took seconds on a loaded machine after Ctrl+C; the server has stopped
    and stdio is flushed by then, so nothing is lost by skipping it."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
