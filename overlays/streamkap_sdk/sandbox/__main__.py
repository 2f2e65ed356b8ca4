"""`python -m streamkap_sdk.sandbox --port N`: serve the sandbox on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import sys

from ._engine import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streamkap_sdk.sandbox", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)"
    )
    parser.add_argument(
        "--token-lifetime", type=float, default=3600.0, help="seconds (default 3600)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the deterministic metrics")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    args = parser.parse_args(argv)
    from ._server import Sandbox

    engine = Engine(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        seed=args.seed,
    )
    sandbox = Sandbox(engine, port=args.port).start()
    print(f"Streamkap sandbox listening on {sandbox.url}", flush=True)
    print(f"  credentials: client_id={args.client_id} (secret: see --client-secret)", flush=True)
    try:
        sandbox._thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
