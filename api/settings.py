"""The controller's configuration: environment variables, or a TOML file with the same names."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pcc_router.api.stringee.caresoft import DEFAULT_LINK_TEMPLATE, LinkError, check_template
from pcc_router.api.stringee.credentials import not_set
from pcc_router.routing.durations import parse_duration

__all__ = ["Settings", "SettingsError"]

_NAMES = {
    "PCC_API_KEY_SID": "api_key_sid",
    "PCC_API_KEY_SECRET": "api_key_secret",
    "PCC_PROJECT_ID": "project_id",
    "PCC_BASE_URL": "base_url",
    "DATABASE_URL": "database_url",
    "PCC_EVENT_SECRET": "event_secret",
    "PCC_SIGNING_SECRET": "signing_secret",
    "PCC_MAX_CALL_AGE": "max_call_age",
    "PCC_SYNC_INTERVAL": "sync_interval",
    "CARESOFT_DOMAIN": "caresoft_domain",
    "CARESOFT_VOICE_TOKEN": "caresoft_voice_token",
    "CARESOFT_WEBHOOK_SECRET": "caresoft_webhook_secret",
    "CARESOFT_LINK_TEMPLATE": "caresoft_link_template",
    "MAX_BODY_BYTES": "max_body",
    "STRINGEE_API_URL": "stringee_api_url",
    "SIP_DOMAIN": "sip_domain",
    "REQUEST_DEADLINE": "request_deadline",
    "PCC_MAX_CLOCK_SKEW": "max_clock_skew",
    "MAX_TOKEN_TTL": "max_token_ttl",
    "MAX_CONNECTIONS": "max_connections",
    "HEADER_TIMEOUT": "header_timeout",
    "KEEPALIVE_TIMEOUT": "keepalive_timeout",
    "EVENT_LOG_RETENTION": "log_retention",
    "LOG_FORMAT": "log_format",
    "PCC_STORE_ID": "store_id",
}

#: Settings that are durations ("4h", "90s", or seconds), with the least each may be.
_DURATIONS = {
    "max_call_age": ("PCC_MAX_CALL_AGE", 0.0),
    "request_deadline": ("REQUEST_DEADLINE", 0.0),
    "max_clock_skew": ("PCC_MAX_CLOCK_SKEW", 0.0),
    "max_token_ttl": ("MAX_TOKEN_TTL", 0.0),
    "header_timeout": ("HEADER_TIMEOUT", 0.0),
    "keepalive_timeout": ("KEEPALIVE_TIMEOUT", 0.0),
    "log_retention": ("EVENT_LOG_RETENTION", 0.0),
}


def _seconds(value: object) -> float:
    """A duration: ``"4h"``, ``"90s"``, or a number of seconds (also as text, from the env)."""
    if isinstance(value, str):
        try:
            return parse_duration(float(value))
        except ValueError:
            pass
    return parse_duration(value)


class SettingsError(ValueError):
    """A setting that is missing or wrong; the message names it."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    api_key_sid: str
    api_key_secret: str
    project_id: str = ""
    base_url: str = "https://icc-api.stringee.com"
    database_url: str = "sqlite:///pcc-router.db"
    event_secret: str | None = None
    signing_secret: str | None = None
    #: Seconds without any event after which a call is closed and its agent freed.
    max_call_age: float = 4 * 3600.0
    sync_interval: float = 300.0
    caresoft_domain: str | None = None
    caresoft_voice_token: str | None = None
    caresoft_webhook_secret: str | None = None
    caresoft_link_template: str = DEFAULT_LINK_TEMPLATE
    max_body: int = 1024 * 1024
    scenario: Path | None = None
    #: ``serve --reset``: the scenario's agents (presence, statuses), groups, queues and
    #: numbers overwrite the stored ones, instead of only adding those not stored yet.
    reset: bool = False
    #: ``serve --new-store``: start on a store that is missing or empty although its
    #: marker (or ``store_id``) says one with data was there.
    new_store: bool = False
    #: PCC_STORE_ID: the store's identity this controller must find (optional).
    store_id: int | None = None
    #: True when PCC_BASE_URL was given: only then does the controller call PCC.
    pcc_enabled: bool = False
    #: Stringee's call REST API (SIP phone accounts); called only when
    #: ``call_api_enabled``: STRINGEE_API_URL was given, or PCC_BASE_URL was.
    stringee_api_url: str = "https://api.stringee.com"
    call_api_enabled: bool = False
    #: Where agents' SIP phones register (a regional register host, if yours is one).
    sip_domain: str = "v2.stringee.com:15060"
    #: Seconds a request may take before it is answered 503 (PCC waits about 2 s).
    request_deadline: float = 1.5
    #: PCC timestamps further in the past than this are taken at receive time (seconds).
    max_clock_skew: float = 3600.0
    #: REST tokens that live longer than this (from now) are refused (seconds).
    max_token_ttl: float = 24 * 3600.0
    #: Open connections at most; more are closed at once (0: from the process's file limit).
    max_connections: int = 0
    #: Seconds a client has to send a request's head once connected (slow clients are cut).
    header_timeout: float = 5.0
    #: Seconds an idle keep-alive connection, or a slow request after the first, is kept.
    keepalive_timeout: float = 15.0
    #: Event-log rows older than this are pruned (seconds; duplicates are detected within it).
    log_retention: float = 7 * 86400.0
    #: ``text`` or ``json`` (one JSON object per line).
    log_format: str = "text"

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        config: Path | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from a TOML file, then the environment (which wins), then ``overrides``."""
        values: dict[str, Any] = {}
        if config is not None:
            try:
                data = tomllib.loads(config.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"--config {config}: {exc}") from None
            for key, value in data.items():
                if key not in _NAMES:
                    raise SettingsError(f"--config {config}: unknown setting {key!r}")
                values[_NAMES[key]] = value
        environ = os.environ if env is None else env
        values.update({attr: environ[name] for name, attr in _NAMES.items() if environ.get(name)})
        values.update({k: v for k, v in overrides.items() if v is not None})
        values.setdefault("pcc_enabled", "base_url" in values)
        values.setdefault(
            "call_api_enabled", "stringee_api_url" in values or bool(values["pcc_enabled"])
        )
        return cls._checked(values)

    @classmethod
    def _checked(cls, values: dict[str, Any]) -> Settings:
        for name, attr in (
            ("PCC_API_KEY_SID", "api_key_sid"),
            ("PCC_API_KEY_SECRET", "api_key_secret"),
        ):
            if not values.get(attr):
                raise SettingsError(not_set(name))
        try:
            for attr, kind in (
                ("sync_interval", float),
                ("max_body", int),
                ("max_connections", int),
                ("store_id", int),
            ):
                if attr in values:
                    values[attr] = kind(values[attr])
        except ValueError:
            raise SettingsError(f"{attr} must be a number") from None
        if values.get("max_connections", 0) < 0:
            raise SettingsError("MAX_CONNECTIONS must be 0 (from the file limit) or more")
        for attr, (name, least) in _DURATIONS.items():
            if attr not in values:
                continue
            try:
                values[attr] = _seconds(values[attr])
            except ValueError as exc:
                raise SettingsError(f"{name}: {exc}") from None
            if values[attr] <= least:
                raise SettingsError(f"{name} must be longer than {least:g} s")
        if values.get("log_format", "text") not in ("text", "json"):
            raise SettingsError("LOG_FORMAT must be text or json")
        if "caresoft_link_template" in values:
            try:
                check_template(str(values["caresoft_link_template"]))
            except LinkError as exc:
                raise SettingsError(str(exc)) from None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
