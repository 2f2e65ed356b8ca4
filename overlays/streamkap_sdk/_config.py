"""Where the client's settings come from, in one order: explicit arguments, then the project
key (`from_project_key`), then environment variables. An empty string or None counts as unset
at every level, so `client_id=""` falls back to the project key, then to STREAMKAP_CLIENT_ID.

Each argument falls back to its own variable:

    client_id         STREAMKAP_CLIENT_ID
    client_secret     STREAMKAP_SECRET
    access_token      STREAMKAP_ACCESS_TOKEN
    base_url          STREAMKAP_HOST               (default https://api.streamkap.com)
    admin_tenant_id   STREAMKAP_ADMIN_TENANT_ID    -> header X-Admin-Tenant-Id
    admin_service_id  STREAMKAP_ADMIN_SERVICE_ID   -> header X-Admin-Service-Id

`token_url` defaults to `<base_url>/auth/access-token`, keeping any path prefix of the base URL
(`http://h/streamkap` -> `http://h/streamkap/auth/access-token`); the refresh endpoint is always
`<token_url>/refresh`. Trailing slashes of the base URL do not matter; a base URL with a query
or a fragment is a ConfigurationError. A project key (`read_project_key`) supplies client_id,
client_secret, base_url and token_url; an explicit argument beats it, and it beats the
environment (its `api_url` beats STREAMKAP_HOST).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from ._auth import Credentials
from ._errors import ConfigurationError

DEFAULT_BASE_URL: Final = "https://api.streamkap.com"  # the spec's `servers` entry
TOKEN_PATH: Final = "/auth/access-token"

ENV_CLIENT_ID: Final = "STREAMKAP_CLIENT_ID"
ENV_SECRET: Final = "STREAMKAP_SECRET"
ENV_HOST: Final = "STREAMKAP_HOST"
ENV_ACCESS_TOKEN: Final = "STREAMKAP_ACCESS_TOKEN"
ENV_ADMIN_TENANT_ID: Final = "STREAMKAP_ADMIN_TENANT_ID"
ENV_ADMIN_SERVICE_ID: Final = "STREAMKAP_ADMIN_SERVICE_ID"


@dataclass(frozen=True, slots=True)
class Settings:
    base_url: httpx.URL
    token_url: httpx.URL
    refresh_url: httpx.URL
    credentials: Credentials | None
    access_token: str | None = field(repr=False)
    headers: dict[str, str]
    secrets: tuple[str, ...] = field(default=(), repr=False)  # passwords found in the URLs

    def __repr__(self) -> str:
        token = "'***'" if self.access_token else "None"
        return (
            f"Settings(base_url={str(self.base_url)!r}, credentials={self.credentials!r}, "
            f"access_token={token})"
        )


def _pick(value: str | None, env: Mapping[str, str], name: str) -> str | None:
    if value:
        return value
    return env.get(name) or None


_HEADER_VALUE: Final = re.compile(r"[\x20-\x7e]*")  # what goes on the wire as is: printable ASCII


def _url(value: str, what: str, secrets: list[str]) -> httpx.URL:
    """The URL without its userinfo: the client authenticates with a bearer token, so a
    `user:password@` part has no use, and would show in logs (httpx logs every URL). Its
    password is remembered as a secret, masked wherever it turns up."""
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is not None and url.password:
        secrets.append(url.password)
    masked = "***"
    shown = str(url.copy_with(password=masked)) if url is not None and url.password else value
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{what} must be a full http(s) URL, got {shown!r}")
    if url.query or url.fragment or "?" in value or "#" in value:
        raise ConfigurationError(
            f"{what} cannot have a query or a fragment (the client adds the paths and queries "
            f"of each call to it), got {shown!r}"
        )
    return url.copy_with(username=None, password=None) if url.userinfo else url


def _directory(url: httpx.URL) -> httpx.URL:
    """The base URL with exactly one trailing slash: operation paths are appended to it."""
    return url.copy_with(raw_path=url.raw_path.rstrip(b"/") + b"/")


def _header(name: str, value: str, what: str) -> str:
    """A header value as the wire takes it, or ConfigurationError (the value is not shown:
    for a token it is a secret)."""
    if not _HEADER_VALUE.fullmatch(value):
        raise ConfigurationError(
            f"{what} can only hold printable ASCII characters (it is sent as the {name} "
            "header); it has control characters (CR/LF?) or non-ASCII ones"
        )
    return value


def resolve(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    access_token: str | None = None,
    base_url: str | None = None,
    token_url: str | None = None,
    admin_tenant_id: str | None = None,
    admin_service_id: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    client_id = _pick(client_id, env, ENV_CLIENT_ID)
    client_secret = _pick(client_secret, env, ENV_SECRET)
    access_token = _pick(access_token, env, ENV_ACCESS_TOKEN)
    secrets: list[str] = []
    base = _directory(
        _url(
            _pick(base_url, env, ENV_HOST) or DEFAULT_BASE_URL,
            "base_url / STREAMKAP_HOST",
            secrets,
        )
    )
    if access_token and (" " in access_token or not _HEADER_VALUE.fullmatch(access_token)):
        raise ConfigurationError(
            "access_token / STREAMKAP_ACCESS_TOKEN can only hold printable ASCII characters "
            "without spaces (it is sent in the Authorization header)"
        )
    if bool(client_id) != bool(client_secret):
        missing = (
            "client_secret (or STREAMKAP_SECRET)"
            if client_id
            else ("client_id (or STREAMKAP_CLIENT_ID)")
        )
        raise ConfigurationError(f"incomplete credentials: {missing} is not set")
    if not client_id and not access_token:
        raise ConfigurationError(
            "no credentials: pass client_id and client_secret (or set STREAMKAP_CLIENT_ID and "
            "STREAMKAP_SECRET), or pass access_token (or set STREAMKAP_ACCESS_TOKEN), "
            "or use StreamkapClient.from_project_key(path)"
        )
    token = (
        _url(token_url, "token_url", secrets)
        if token_url
        else base.copy_with(raw_path=base.raw_path.rstrip(b"/") + TOKEN_PATH.encode())
    )
    headers: dict[str, str] = {}
    tenant = _pick(admin_tenant_id, env, ENV_ADMIN_TENANT_ID)
    service = _pick(admin_service_id, env, ENV_ADMIN_SERVICE_ID)
    if tenant:
        headers["X-Admin-Tenant-Id"] = _header(
            "X-Admin-Tenant-Id", tenant, "admin_tenant_id / STREAMKAP_ADMIN_TENANT_ID"
        )
    if service:
        headers["X-Admin-Service-Id"] = _header(
            "X-Admin-Service-Id", service, "admin_service_id / STREAMKAP_ADMIN_SERVICE_ID"
        )
    return Settings(
        base_url=base,
        token_url=token,
        refresh_url=token.copy_with(path=token.path.rstrip("/") + "/refresh"),
        credentials=Credentials(client_id, client_secret) if client_id and client_secret else None,
        access_token=access_token,
        headers=headers,
        secrets=tuple(secrets),
    )


def read_project_key(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, str]:
    """Arguments for the client from a Streamkap project key (file path or parsed mapping).

    The key holds `api.client_id` and `api.client_secret`; `token_endpoint` and `api_url` may
    sit inside `api` or at the top level (inside `api` wins). Error messages name the missing
    field, never a value.
    """
    if isinstance(source, Mapping):
        data: Any = source
        origin = "project key"
    else:
        origin = f"project key {os.fspath(source)!r}"
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(f"cannot read {origin}: {exc.strerror}") from exc
        except ValueError as exc:
            raise ConfigurationError(f"{origin} is not valid JSON") from exc
    api = data.get("api") if isinstance(data, Mapping) else None
    if not isinstance(api, Mapping):
        raise ConfigurationError(f"{origin} has no 'api' object")
    out: dict[str, str] = {}
    for key, arg in (("client_id", "client_id"), ("client_secret", "client_secret")):
        value = api.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{origin} is missing api.{key}")
        out[arg] = value
    for key, arg in (("api_url", "base_url"), ("token_endpoint", "token_url")):
        for holder in (api, data):  # inside `api` first, then at the top level
            value = holder.get(key)
            if isinstance(value, str) and value:
                out[arg] = value
                break
    return out
