"""The error hierarchy, status mapping, error messages, and honest decoding of 2xx bodies."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import httpx
import pytest

import streamkap_api.types as api_types
from streamkap_api.models import PipelineMetricsRes
from streamkap_sdk import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    InvalidParameterError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    StreamkapError,
    UnprocessableEntityError,
    ValidationErrorItem,
)
from streamkap_sdk._decode import decode_model
from streamkap_sdk._errors import status_error

#: The generated from_dict becomes strict (raising streamkap_api.types.DecodeError) through
#: custom templates, in another change. Tests of real schema violations wait for it.
STRICT_DECODING = hasattr(api_types, "DecodeError")
needs_strict_decoding = pytest.mark.xfail(
    not STRICT_DECODING,
    reason="generated from_dict is not strict yet (streamkap_api.types.DecodeError missing)",
    strict=True,
)

URL = "https://api.streamkap.com/pipelines/metrics"


def response(
    status: int,
    *,
    json: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request("POST", URL)
    if json is not None:
        return httpx.Response(status, json=json, headers=headers, request=request)
    return httpx.Response(status, content=content, headers=headers, request=request)


# -- hierarchy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "parent"),
    [
        (ConfigurationError, StreamkapError),
        (InvalidParameterError, StreamkapError),
        (InvalidParameterError, ValueError),
        (APIError, StreamkapError),
        (APIStatusError, APIError),
        (BadRequestError, APIStatusError),
        (AuthenticationError, APIStatusError),
        (PermissionDeniedError, APIStatusError),
        (NotFoundError, APIStatusError),
        (UnprocessableEntityError, APIStatusError),
        (RateLimitError, APIStatusError),
        (InternalServerError, APIStatusError),
        (APIConnectionError, APIError),
        (APITimeoutError, APIConnectionError),
        (MalformedResponseError, APIError),
    ],
)
def test_hierarchy(error: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(error, parent)


def test_malformed_is_neither_a_status_nor_a_connection_error() -> None:
    assert not issubclass(MalformedResponseError, APIStatusError | APIConnectionError)


# -- status mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (599, InternalServerError),
        (405, APIStatusError),
        (409, APIStatusError),
        (418, APIStatusError),
    ],
)
def test_status_mapping(status: int, error: type[APIStatusError]) -> None:
    failed = response(status, json={"detail": "nope"}, headers={"x-request-id": "req-1"})
    exc = status_error(failed)
    assert type(exc) is error
    assert exc.status_code == status
    assert exc.response is failed
    assert exc.request_id == "req-1"
    assert exc.detail == "nope"


# -- messages ----------------------------------------------------------------------------------

VALIDATION = [
    {
        "type": "literal_error",
        "loc": ["query", "time_unit"],
        "msg": "Input should be 'minute', 'hour', 'day', 'week' or 'month'",
        "input": "fortnight",
        "ctx": {"expected": "'minute', 'hour', 'day', 'week' or 'month'"},
    },
    {"type": "missing", "loc": ["body", "ids", 0], "msg": "Field required", "input": None},
]
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"<script>var x = '<b>';</script></body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("failed", "message"),
    [
        pytest.param(
            response(404, json={"detail": "Pipeline not found"}),
            "HTTP 404 Not Found: Pipeline not found",
            id="string detail",
        ),
        pytest.param(
            response(422, json={"detail": VALIDATION}),
            # the reason phrase is httpx's: Unprocessable Entity, or RFC 9110's Unprocessable
            # Content with httpx2
            f"HTTP 422 {httpx.codes.get_reason_phrase(422)}: query.time_unit: Input should be "
            "'minute', 'hour', 'day', 'week' or 'month'; body.ids.0: Field required",
            id="list detail",
        ),
        pytest.param(
            response(502, content=NGINX_502, headers={"content-type": "text/html"}),
            "HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx",
            id="html body",
        ),
        pytest.param(
            response(502, content=b"<!DOCTYPE html><p>Upstream &amp; proxy down</p>"),
            "HTTP 502 Bad Gateway: Upstream & proxy down",
            id="html without content type",
        ),
        pytest.param(
            response(503, content=b""),
            "HTTP 503 Service Unavailable: empty response body",
            id="empty body",
        ),
        pytest.param(
            response(500, content=b"  \n "),
            "HTTP 500 Internal Server Error: empty response body",
            id="blank body",
        ),
        pytest.param(
            response(500, content=b"upstream connect error\x00\x1b[31m or reset"),
            "HTTP 500 Internal Server Error: upstream connect error [31m or reset",
            id="plain text with control characters",
        ),
        pytest.param(
            # the body as sent (httpx 0.27 and 0.28 serialise json= with different spacing)
            response(
                400, content=b'{"message":"bad ids"}', headers={"content-type": "application/json"}
            ),
            'HTTP 400 Bad Request: {"message":"bad ids"}',
            id="json without detail",
        ),
        pytest.param(
            response(409, json={"detail": {"code": 7}}),
            'HTTP 409 Conflict: {"code": 7}',
            id="object detail",
        ),
        pytest.param(
            response(403, json={"detail": "Forbidden"}, headers={"x-request-id": "req-42"}),
            "HTTP 403 Forbidden: Forbidden (request id req-42)",
            id="request id",
        ),
    ],
)
def test_messages(failed: httpx.Response, message: str) -> None:
    assert str(status_error(failed)) == message


def test_message_with_context() -> None:
    exc = status_error(response(401, json={"detail": "bad"}), context="the token endpoint")
    assert str(exc) == "HTTP 401 Unauthorized from the token endpoint: bad"


def test_long_bodies_are_cut_short() -> None:
    exc = status_error(response(502, content=b"<html><body>" + b"x " * 5000 + b"</body></html>"))
    description = str(exc).split(": ", 1)[1]
    assert len(description) == 201 and description.endswith("…")


@pytest.mark.parametrize("junk", [b"<a" * 500_000, b"<script" * 200_000, b"<!--" * 300_000])
def test_junk_pages_take_bounded_work(junk: bytes) -> None:
    started = time.monotonic()
    message = str(status_error(response(502, content=b"<html>" + junk)))
    assert len(message) < 250
    assert time.monotonic() - started < 1.0  # no quadratic regex work on hostile markup


def test_many_validation_errors_are_summarised() -> None:
    items = [{"loc": ["query", f"p{n}"], "msg": "bad", "type": "t"} for n in range(8)]
    exc = status_error(response(422, json={"detail": items}))
    assert str(exc).endswith("query.p4: bad (and 3 more)")
    assert isinstance(exc, UnprocessableEntityError) and len(exc.errors) == 8


@pytest.mark.parametrize(
    ("body", "leak"),
    [
        (b"<html><body>Authorization: Bearer eyJhbGciOi.abc-def_1</body></html>", "eyJhbGciOi"),
        (b'{"detail": {"client_id": "x", "secret": "s3cr3t-value"}}', "s3cr3t-value"),
        (b'{"error": "bad", "refreshToken": "r-123"}', "r-123"),
        (b"denied for access_token=tok-456&x=1", "tok-456"),
        (b'{"detail": "token rejected", "echo": {"client_secret": "cs-789"}}', "cs-789"),
    ],
)
def test_messages_mask_what_looks_like_a_credential(body: bytes, leak: str) -> None:
    message = str(status_error(response(500, content=body)))
    assert leak not in message


def test_masking_keeps_the_rest_of_the_message() -> None:
    body = b'{"error": "refused", "client_id": "abc", "secret": "s3"} Authorization: Bearer t0k'
    assert str(status_error(response(401, content=body))) == (
        'HTTP 401 Unauthorized: {"error": "refused", "client_id": "abc", "secret": ***} '
        "Authorization: Bearer ***"
    )


def test_422_errors_are_parsed() -> None:
    exc = status_error(response(422, json={"detail": VALIDATION}))
    assert isinstance(exc, UnprocessableEntityError)
    assert exc.errors == [
        ValidationErrorItem(
            loc=("query", "time_unit"),
            msg="Input should be 'minute', 'hour', 'day', 'week' or 'month'",
            type="literal_error",
        ),
        ValidationErrorItem(loc=("body", "ids", 0), msg="Field required", type="missing"),
    ]
    assert exc.detail == VALIDATION


@pytest.mark.parametrize(
    "detail", ["a string", None, [], ["not an object"], [{"msg": "no loc"}], {"x": 1}]
)
def test_422_errors_tolerate_other_shapes(detail: Any) -> None:
    exc = status_error(response(422, json={"detail": detail}))
    assert isinstance(exc, UnprocessableEntityError)
    expected = [ValidationErrorItem((), "no loc", "")] if detail == [{"msg": "no loc"}] else []
    assert exc.errors == expected


def test_validation_item_text() -> None:
    assert str(ValidationErrorItem(("query", "size"), "too small", "t")) == "query.size: too small"
    assert str(ValidationErrorItem((), "bad body", "t")) == "(request): bad body"


def test_request_id_absent() -> None:
    exc = status_error(response(500, json={"detail": "x"}))
    assert exc.request_id is None
    assert "request id" not in str(exc)


# -- decoding ----------------------------------------------------------------------------------


def ok(content: bytes, request_id: str | None = "req-7") -> httpx.Response:
    headers = {"x-request-id": request_id} if request_id else {}
    return response(200, content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "op: HTTP 200 with an empty body (request id req-7)"),
        (b"[1, 2]", "op: expected a JSON object at $, got array (request id req-7)"),
        (b'"text"', "op: expected a JSON object at $, got string (request id req-7)"),
        (b"null", "op: expected a JSON object at $, got null (request id req-7)"),
    ],
)
def test_decode_not_an_object(content: bytes, message: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        decode_model(ok(content), PipelineMetricsRes, what="op")
    assert str(caught.value) == message
    assert caught.value.request_id == "req-7"
    assert caught.value.path == ()


@pytest.mark.parametrize(
    "content",
    [b'{"connector_metrics": {"p1": {"latest": {"latency": 1', b"<html>502</html>", b"\xff\xfe"],
)
def test_decode_not_json(content: bytes) -> None:
    with pytest.raises(MalformedResponseError, match="a body that is not valid JSON") as caught:
        decode_model(ok(content, request_id=None), PipelineMetricsRes, what="op")
    assert caught.value.response.content == content
    assert caught.value.request_id is None
    assert isinstance(caught.value.__cause__, ValueError)


class FakeDecodeError(ValueError):
    """The shape of streamkap_api.types.DecodeError: `.path` and `.reason`."""

    def __init__(self, path: list[str | int], reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class Strict:
    path: ClassVar[list[str | int]] = []

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        raise FakeDecodeError(cls.path, "required property 'value' is missing")


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (
            ["connector_metrics", "p1", "timeseries", "latency", 0, "value"],
            "$.connector_metrics.p1.timeseries.latency[0].value",
        ),
        (["topic_metrics", "p1", "p1.topic", "latest"], '$.topic_metrics.p1["p1.topic"].latest'),
        ([], "$"),
    ],
)
def test_decode_names_the_json_path(path: list[str | int], where: str) -> None:
    model = type("Strict", (Strict,), {"path": path})
    with pytest.raises(MalformedResponseError) as caught:
        decode_model(ok(b"{}"), model, what="searchPipelinesMetrics")
    assert str(caught.value) == (
        f"searchPipelinesMetrics: response does not fit Strict at {where}: "
        "required property 'value' is missing (request id req-7)"
    )
    assert caught.value.path == tuple(path)


def test_decode_other_model_errors_are_malformed_too() -> None:
    class Broken:
        @classmethod
        def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
            raise KeyError("value")

    with pytest.raises(MalformedResponseError, match=r"at \$: KeyError: 'value'"):
        decode_model(ok(b"{}"), Broken, what="op")


def test_decode_success_keeps_unknown_fields() -> None:
    body = b'{"connector_metrics": {"p1": {"latest": {"latency": 1.5, "new_metric": 3}}}}'
    result = decode_model(ok(body), PipelineMetricsRes, what="op")
    latest = result.connector_metrics["p1"].latest
    assert latest.latency == 1.5 and latest["new_metric"] == 3


@needs_strict_decoding
@pytest.mark.parametrize(
    ("payload", "where"),
    [
        (
            {"connector_metrics": {"p1": {"timeseries": {"latency": [{"timestamp": "x"}]}}}},
            "at $.connector_metrics.p1.timeseries.latency[0].value: missing required property",
        ),
        ({"connector_metrics": "not an object"}, "at $.connector_metrics: expected object"),
        (
            {"connector_metrics": {"p-1": {"latest": {"status": 5}}}},
            'at $.connector_metrics["p-1"].latest.status: expected string | null, got int',
        ),
    ],
)
def test_decode_schema_violations_with_the_generated_models(
    payload: dict[str, Any], where: str
) -> None:
    with pytest.raises(MalformedResponseError, match="does not fit PipelineMetricsRes") as caught:
        decode_model(response(200, json=payload), PipelineMetricsRes, what="op")
    assert where in str(caught.value)
    assert caught.value.path
