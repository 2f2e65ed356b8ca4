"""Run by tests/test_aiohttp_backend.py in a fresh interpreter: an async client whose loop holds
open connections when the process forks.

    python -X dev _async_fork_probe.py URL httpx|aiohttp

The parent keeps using its loop (and pool); the child runs a loop of its own, so the client
builds it a pool of its own, leaving the parent's sockets alone. Prints one JSON line: how many
of 20 concurrent calls came back with the ids asked, before the fork, in the parent and in the
child. Warnings (an unclosed session or socket) go to stderr, which the test reads.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys

from streamkap_sdk import AsyncStreamkapClient, entities
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

CALLS = 20


async def burst(client: AsyncStreamkapClient, role: str) -> int:
    asked = [[f"{role}-{n}"] for n in range(CALLS)]
    results = await asyncio.gather(*(client.pipelines.metrics(ids) for ids in asked))
    return sum(
        list(entities(r.connector_metrics)) == ids for r, ids in zip(results, asked, strict=True)
    )


def main() -> None:
    url, backend = sys.argv[1], sys.argv[2]
    client = AsyncStreamkapClient(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        base_url=url,
        timeout=5,
        http_backend=backend,  # type: ignore[arg-type]
    )
    with asyncio.Runner() as runner:
        before = runner.run(burst(client, "before"))  # the loop keeps its connections open
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                report: object = asyncio.run(burst(client, "child"))
                gc.collect()  # what the child dropped of the parent's is collected here
            except BaseException as exc:
                report = f"{type(exc).__name__}: {exc}"
            os.write(write, json.dumps(report).encode())
            sys.stderr.flush()
            os._exit(0)
        os.close(write)
        parent = runner.run(burst(client, "parent"))
        data = b""
        while chunk := os.read(read, 65536):
            data += chunk
        os.waitpid(pid, 0)
        runner.run(client.aclose())
    print(json.dumps({"before": before, "parent": parent, "child": json.loads(data or b"null")}))


if __name__ == "__main__":
    main()
