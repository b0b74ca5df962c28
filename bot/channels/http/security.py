"""API key check of the /v1 routes, and the rule that a server off loopback must have a key."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import APIKeyHeader

from bot.channels.http.services import Services, get_services

API_KEY_HEADER = "X-API-Key"
_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                               description="Required when the server has ELDERBOT_API_KEY set.")


class InsecureBindError(RuntimeError):
    """Refusing to listen beyond this machine without an API key."""


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: str) -> None:
    """Raise InsecureBindError for a non-loopback host when no API key is configured."""
    if not is_loopback(host) and not api_key:
        raise InsecureBindError(
            f"拒绝在 {host} 上启动：对外开放必须设置 ELDERBOT_API_KEY。 / Refusing to listen on {host} without an API key: "
            "set ELDERBOT_API_KEY (or bind 127.0.0.1)."
        )


def require_api_key(key: Annotated[str | None, Depends(_api_key_header)],
                    services: Annotated[Services, Depends(get_services)]) -> None:
    """Every /v1 route: when a key is configured, the X-API-Key header must match it."""
    expected = services.settings.api_key
    if not expected:
        return
    if key is None or not secrets.compare_digest(key.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="需要正确的访问密钥（X-API-Key 请求头）。 / A valid API key is required in the X-API-Key header.",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )
