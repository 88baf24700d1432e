"""Authentication for Prometheus-compatible APIs: bearer token, basic auth, AWS SigV4.

Secrets come from the environment or a file, never from a command-line flag (it would show in
`ps` and shell history):

- SRE_PROMETHEUS_TOKEN, or --token-file: `Authorization: Bearer <token>` (Grafana Cloud, Mimir
  behind a gateway, Thanos behind an OAuth proxy).
- SRE_PROMETHEUS_USER and SRE_PROMETHEUS_PASSWORD: HTTP basic auth.
- --sigv4-region REGION: Amazon Managed Service for Prometheus; every request is signed with
  SigV4 for the `aps` service using boto3's credential chain (env, profile, SSO, instance role).
- credentials in the URL (`https://user:pass@host`): HTTP basic auth; they are taken out of the
  URL so that nothing shows them (errors, the report's `source`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import requests

TOKEN_ENV = "SRE_PROMETHEUS_TOKEN"
USER_ENV = "SRE_PROMETHEUS_USER"
PASSWORD_ENV = "SRE_PROMETHEUS_PASSWORD"


class AuthConfigError(ValueError):
    pass


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class SigV4Auth(requests.auth.AuthBase):
    """Signs each request like `awscurl --service aps`; credentials are resolved once."""

    def __init__(self, region: str, service: str = "aps"):
        import boto3

        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise AuthConfigError("--sigv4-region needs AWS credentials (env, profile or instance role); none found")
        self.credentials = credentials
        self.region = region
        self.service = service

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        from botocore.auth import SigV4Auth as BotoSigV4
        from botocore.awsrequest import AWSRequest

        aws_request = AWSRequest(method=r.method, url=r.url, data=r.body or b"")
        BotoSigV4(self.credentials.get_frozen_credentials(), self.service, self.region).add_auth(aws_request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"):
            if name in aws_request.headers:
                r.headers[name] = aws_request.headers[name]
        return r


def url_credentials(url: str) -> tuple[str, str] | None:
    """(user, password) written into the URL, percent-decoded; None when it has none."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return None
    return unquote(parts.username or ""), unquote(parts.password or "")


def without_credentials(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def from_options(
    token_file: Path | None, sigv4_region: str | None, env: dict[str, str] | None = None, *, url: str = ""
) -> Any:
    """The requests auth object the flags, environment and URL ask for (None: no auth)."""
    env = dict(os.environ) if env is None else env
    chosen = []
    in_url = url_credentials(url)
    if in_url is not None:
        chosen.append(("credentials in the URL", in_url))
    token = env.get(TOKEN_ENV)
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AuthConfigError(f"--token-file {token_file}: {exc.strerror}") from None
        if not token:
            raise AuthConfigError(f"--token-file {token_file}: file is empty")
    if token:
        chosen.append(("bearer token", BearerAuth(token)))
    if env.get(USER_ENV):
        chosen.append(("basic auth", (env[USER_ENV], env.get(PASSWORD_ENV, ""))))
    if sigv4_region:
        chosen.append(("SigV4", SigV4Auth(sigv4_region)))
    if len(chosen) > 1:
        names = " and ".join(n for n, _ in chosen)
        raise AuthConfigError(f"choose one way to authenticate, got {names}")
    return chosen[0][1] if chosen else None
