"""Run a command against a fresh sandbox: `python scripts/with_sandbox.py -- CMD ...`.

Starts `python -m streamkap_sdk.sandbox --port 0`, exports STREAMKAP_HOST / STREAMKAP_CLIENT_ID /
STREAMKAP_SECRET for the command, runs it, stops the sandbox, and exits with the command's code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: with_sandbox.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    server = subprocess.Popen(
        [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 20
        assert server.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (http://\S+)", line)
            url = match.group(1) if match else None
        if url is None:
            print("with_sandbox: the sandbox did not start", file=sys.stderr)
            return 1
        env = dict(
            os.environ,
            STREAMKAP_HOST=url,
            STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID,
            STREAMKAP_SECRET=DEFAULT_CLIENT_SECRET,
        )
        print(f"[sandbox on {url}]", flush=True)
        return subprocess.call(argv, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
