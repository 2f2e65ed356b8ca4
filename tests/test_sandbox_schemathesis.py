"""Schemathesis against the sandbox command and the kit: the vendored spec, every check, seeded.

`python -m streamkap_sdk.sandbox --port 0` runs in a process of its own on 127.0.0.1, as a user
starts it; Schemathesis (pinned in the dev group) generates requests for every operation of
openapi/streamkap.yaml from its schemas, valid and invalid ones (its coverage phase's edge
cases, then `EXAMPLES` fuzzed cases per operation), sends each to the sandbox and the same
request, byte for byte, to the kit (`FakeStreamkap`'s in-process transport), and runs all of
its checks on both answers: no 5xx, documented status codes and content types, responses that
fit their schemas, invalid data refused, valid data accepted, 405s with an `Allow` header and
OPTIONS advertising only the spec's methods, auth not ignored. The two answers must agree.

Two checks see what the spec leaves out, and are narrowed to exactly that:

- `status_code_conformance`: the spec documents 200 and 422 only; a request without a valid
  bearer token gets 401 (the API's FronteggHTTPAuthentication), which is not a finding.
- `positive_data_acceptance`: the knowledge table (openapi/knowledge.yaml) constrains some
  parameters beyond their schema (a closed set given in prose, a `minimum`, timestamps for the
  window, the step units the sandbox knows), and the body takes any query parameter under the
  query's schema: a 422 whose every item names such a constraint is the API's, not a finding.

The stateful phase is not run: the operations are independent searches (no links, no
resources), so its scenarios are the fuzzing phase's requests again. Bounded: the seed and
`EXAMPLES` fix the inputs; the run takes well under a minute on an idle 2-core machine.
"""

from __future__ import annotations

import io
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from requests.adapters import HTTPAdapter
from schemathesis.checks import CheckContext
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance
from urllib3 import HTTPHeaderDict, HTTPResponse

from streamkap_api.surface import OPERATIONS
from streamkap_sdk.testing import FakeStreamkap

pytestmark = pytest.mark.slow

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "streamkap.yaml"
SEED = 25
EXAMPLES = 300  # fuzzed cases per operation, besides the coverage phase's

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            "database": "none",
            # the test sends a valid bearer token itself; ignored_auth probes without it
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        "request-timeout": 30,
        "checks": {
            # narrowed versions of these two run instead (module docstring)
            "status_code_conformance": {"enabled": False},
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)

#: Parameters the knowledge table constrains beyond their schema (a 422 on them is the API's).
KNOWLEDGE = frozenset(
    p.wire
    for op in OPERATIONS
    for p in op.query
    if p.values_from == "knowledge"
    or p.minimum is not None
    or p.role in ("window_start", "window_end", "step_unit", "step_count")
)
DECLARED = frozenset(p.wire for op in OPERATIONS for p in op.query)
SENT: dict[str, int] = {}  # cases sent to both, by operation


@dataclass
class Target:
    """Where a case is sent: a base URL, a requests session to send with, a bearer token."""

    name: str
    base_url: str
    session: requests.Session
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# -- the sandbox command ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """`python -m streamkap_sdk.sandbox --port 0`, stopped (by its pid) after the module."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)  # bounded: a minute to start
        assert ready, "the sandbox printed nothing in 60 s"
        banner = process.stdout.readline()  # "Streamkap sandbox listening on http://..."
        assert "listening on http://127.0.0.1:" in banner, banner + process.stderr.read()
        yield banner.split()[-1]
    finally:
        process.kill()
        process.communicate(timeout=30)


# -- the kit behind a requests adapter ------------------------------------------------------------


class KitAdapter(HTTPAdapter):
    """Sends what `requests` prepared (the bytes Schemathesis sends the sandbox) through the
    kit's httpx transport, and hands the answer back as a `requests` response."""

    def __init__(self, fake: FakeStreamkap) -> None:
        super().__init__()
        self.transport = fake.transport()

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        body = request.body
        content = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        assert request.method is not None and request.url is not None
        answer = self.transport.handle_request(
            httpx.Request(
                request.method, request.url, headers=list(request.headers.items()), content=content
            )
        )
        raw = HTTPResponse(
            body=io.BytesIO(answer.read()),
            headers=HTTPHeaderDict(answer.headers.multi_items()),
            status=answer.status_code,
            reason=answer.reason_phrase,
            version=11,
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


def _token(session: requests.Session, base_url: str, fake: FakeStreamkap) -> str:
    answer = session.post(
        f"{base_url}/auth/access-token",
        json={"client_id": fake.engine.client_id, "secret": fake.engine.client_secret},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["accessToken"]
    return token


@pytest.fixture(scope="module")
def targets(sandbox_url: str) -> Iterator[tuple[Target, Target]]:
    """The sandbox and the kit. Every requests session of the module (Schemathesis makes its
    own for the probes some checks send) reaches the kit's URL in-process, the sandbox on
    127.0.0.1, and nothing else."""
    fake = FakeStreamkap()  # the same seed (0) and credentials as the command's defaults
    kit = KitAdapter(fake)
    original = requests.Session.get_adapter

    def get_adapter(self: requests.Session, url: str) -> Any:
        if url.startswith(fake.base_url + "/"):
            return kit
        if not url.startswith(sandbox_url + "/"):
            raise AssertionError(f"a request outside the sandbox and the kit: {url}")
        return original(self, url)

    with (
        pytest.MonkeyPatch.context() as patch,
        requests.Session() as over_http,
        requests.Session() as in_process,
    ):
        patch.setattr(requests.Session, "get_adapter", get_adapter)
        yield (
            Target("sandbox", sandbox_url, over_http, _token(over_http, sandbox_url, fake)),
            Target("kit", fake.base_url, in_process, _token(in_process, fake.base_url, fake)),
        )


# -- the two narrowed checks ----------------------------------------------------------------------


def _bearer_refused(response: schemathesis.Response, token: str) -> bool:
    sent = response.request.headers.get("Authorization")
    return response.status_code == 401 and sent != f"Bearer {token}"


def _attributable(entry: Mapping[str, Any]) -> bool:
    """A 422 item the knowledge table explains (module docstring)."""
    loc = entry.get("loc") or []
    if len(loc) < 2 or loc[0] not in ("query", "body"):
        return False
    return loc[1] in KNOWLEDGE or (loc[0] == "body" and loc[1] in DECLARED)


def narrowed_checks(token: str) -> list[Any]:
    def documented_status(
        ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> bool | None:
        if _bearer_refused(response, token):
            return None  # FronteggHTTPAuthentication: no (valid) bearer token
        return status_code_conformance(ctx, response, case)

    def valid_data_accepted(
        ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> bool | None:
        if response.status_code == 422:
            detail = response.json().get("detail")
            if isinstance(detail, list) and detail and all(map(_attributable, detail)):
                return None
        return positive_data_acceptance(ctx, response, case)

    return [documented_status, valid_data_accepted]


# -- the test ----------------------------------------------------------------------------------


def _comparable(response: schemathesis.Response) -> tuple[int, str | None, Any]:
    """What must agree between the sandbox and the kit: the status, the content type, the Allow
    header and the JSON; time series are compared by their metric names only (the default
    window ends at each engine's "now", which may tick between the two requests)."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    kind = (headers.get("content-type") or [None])[0]
    allow = (headers.get("allow") or [None])[0]
    try:
        payload = response.json()
    except ValueError:
        payload = response.content
    return response.status_code, f"{kind} {allow}", _without_points(payload)


def _without_points(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: sorted(v) if k == "timeseries" and isinstance(v, dict) else _without_points(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_points(v) for v in value]
    return value


@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    print_blob=True,
)
def test_sandbox_and_kit_under_schemathesis(
    case: schemathesis.Case, targets: tuple[Target, Target]
) -> None:
    answers = []
    for target in targets:
        answers.append(
            case.call_and_validate(
                base_url=target.base_url,
                session=target.session,
                headers=target.headers,
                additional_checks=narrowed_checks(target.token),
            )
        )
    SENT[case.operation.label] = SENT.get(case.operation.label, 0) + 1
    sandbox, kit = (_comparable(a) for a in answers)
    assert sandbox == kit, f"the sandbox and the kit disagree on\n{case.as_curl_command()}"


def test_every_operation_got_its_cases() -> None:
    """Every operation of the surface is in the run, each with at least `EXAMPLES` cases
    (the fuzzed ones plus the coverage phase's); the seed fixes which."""
    assert CONFIG.projects.get_default().seed == SEED
    assert {op.path for op in OPERATIONS} == {r.ok().path for r in schema.get_all_operations()}
    if not SENT:
        pytest.skip("the Schemathesis test did not run (deselected)")
    assert sorted(SENT) == sorted(f"POST {op.path}" for op in OPERATIONS)
    assert min(SENT.values()) >= EXAMPLES, SENT


@pytest.fixture(scope="module", autouse=True)
def _timed() -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    print(f"\nschemathesis {schemathesis.__version__}: {SENT} in {took:.1f} s", file=sys.stderr)
