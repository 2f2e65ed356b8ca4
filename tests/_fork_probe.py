"""Run by tests/test_faults.py in a fresh interpreter: a client used before os.fork().

    python _fork_probe.py URL concurrent   # parent and child: 200 calls at once each
    python _fork_probe.py URL renewal      # fork while another thread renews (slowly)

Prints one JSON line: what the parent and the child saw.
"""

from __future__ import annotations

import json
import os
import select
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from streamkap_sdk import StreamkapClient, entities
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

CALLS = 200


def burst(client: StreamkapClient, role: str) -> dict[str, Any]:
    def one(n: int) -> str:
        ids = [f"{role}-{n}-a", f"{role}-{n}-b"]
        try:
            got = sorted(entities(client.pipelines.metrics(ids).connector_metrics))
        except Exception as exc:  # reported, not raised: the test asserts on the counts
            return f"error {type(exc).__name__}: {str(exc)[:120]}"
        return "ok" if got == ids else f"wrong {ids} -> {got[:4]}"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(one, range(CALLS)))
    bad = [o for o in outcomes if o != "ok"]
    return {"ok": CALLS - len(bad), "bad": bad[:5], "n_bad": len(bad)}


def run_child(work: Any) -> tuple[int, Any]:
    """Fork; the child runs `work()` and reports through a pipe. Returns (pid, read end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            report = work()
        except BaseException as exc:
            report = {"crashed": f"{type(exc).__name__}: {exc}"}
        os.write(write, json.dumps(report).encode())
        os._exit(0)
    os.close(write)
    return pid, read


def collect(pid: int, read: int, timeout: float) -> Any:
    ready, _, _ = select.select([read], [], [], timeout)
    if not ready:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return {"hung": f"no answer from the child within {timeout:g}s"}
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.waitpid(pid, 0)
    return json.loads(data or b"{}")


def main() -> None:
    url, mode = sys.argv[1], sys.argv[2]
    client = StreamkapClient(
        client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, base_url=url, timeout=5
    )
    if mode == "concurrent":
        with ThreadPoolExecutor(20) as pool:  # the pool holds ~20 open connections now
            list(pool.map(lambda n: client.pipelines.metrics([f"warm-{n}"]), range(40)))
        pid, read = run_child(lambda: burst(client, "child"))
        parent = burst(client, "parent")
        child = collect(pid, read, 60)
        print(json.dumps({"parent": parent, "child": child}))
    else:  # renewal: the token endpoint is slow (a sandbox fault); fork while a thread waits
        renewing = threading.Thread(target=lambda: client.pipelines.metrics(["renewer"]))
        renewing.start()
        time.sleep(0.5)  # the renewing thread now holds the renewal lock

        def child_call() -> dict[str, Any]:
            started = time.monotonic()
            result = client.pipelines.metrics(["child"], deadline=5)
            return {
                "ids": sorted(entities(result.connector_metrics)),
                "seconds": round(time.monotonic() - started, 2),
            }

        pid, read = run_child(child_call)
        child = collect(pid, read, 15)
        renewing.join(timeout=15)
        print(json.dumps({"child": child}))
    client.close()


if __name__ == "__main__":
    main()
