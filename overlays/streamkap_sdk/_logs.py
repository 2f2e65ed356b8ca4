"""The `streamkap_sdk` logger: `STREAMKAP_LOG=info|debug` turns it on (as `OPENAI_LOG` does),
and the one line each request logs at DEBUG.

Secrets never reach a record: URLs carry no userinfo (stripped from the settings), tokens and
credentials live in headers and bodies, which are not logged, and the redacting filter of
`_auth` masks whatever else a server echoes (on this logger, httpx's and httpcore's).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the package's import stays light: httpx is imported when a client is
    import httpx

__all__ = ["ENV_LOG", "log_request", "logger", "setup_from_env"]

logger: Final = logging.getLogger("streamkap_sdk")
ENV_LOG: Final = "STREAMKAP_LOG"
_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT: Final = "[%(asctime)s %(name)s %(levelname)s] %(message)s"


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler STREAMKAP_LOG adds (one at most, however often it is set up)."""


def setup_from_env(environ: Mapping[str, str] | None = None) -> int | None:
    """Configure the logger from STREAMKAP_LOG (at import of `streamkap_sdk`): its level, and a
    stderr handler unless the application already gave the logger one. Returns the level set,
    or None when the variable is unset. Another value warns on stderr and changes nothing."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_LOG, "").strip().lower()
    if not value:
        return None
    level = _LEVELS.get(value)
    if level is None:
        print(
            f"streamkap_sdk: ignoring {ENV_LOG}={value[:20]!r}; use 'info' or 'debug'",
            file=sys.stderr,
        )
        return None
    logger.setLevel(level)
    if not logger.handlers:
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    return level


def log_request(
    request: httpx.Request,
    outcome: httpx.Response | BaseException,
    started: float,
    *,
    ids: int | None,
    attempt: int,
) -> None:
    """At DEBUG: method, full URL, ids, query keys, status (or error), elapsed, request id,
    attempt. `ids` is None for a token request."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    import httpx

    elapsed = (time.monotonic() - started) * 1000
    if isinstance(outcome, httpx.Response):
        result = f"HTTP {outcome.status_code}"
        rid = outcome.headers.get("x-request-id")
        if rid:
            result += f", request id {rid}"
    else:
        result = f"failed with {type(outcome).__name__}"
    if ids is None:
        what = "token request"
    else:
        keys = ",".join(sorted({key for key, _ in request.url.params.multi_items()})) or "-"
        what = f"{ids} ids, query keys {keys}"
    logger.debug(
        "%s %s: %s in %.1f ms (%s, attempt %d)",
        request.method,
        request.url,
        result,
        elapsed,
        what,
        attempt,
    )
