"""``pcc-router token`` and ``pcc-router caresoft``: the service's contracts, without a server.

Secrets come from the environment (``PCC_API_KEY_SID``, ``PCC_API_KEY_SECRET``,
``CARESOFT_VOICE_TOKEN``, ``CARESOFT_LINK_TEMPLATE``); a missing one is exit 2
naming the variable.
"""

from __future__ import annotations

import argparse
import os
import sys

from api.caresoft import (
    DEFAULT_LINK_TEMPLATE,
    LinkError,
    call_link,
    login_link,
    new_temp_id,
    voice_token,
)
from api.tokens import TokenError, TokenMinter, short_secret_warning

__all__ = ["add_parsers", "run"]

COMMANDS = ("token", "caresoft")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="print a Stringee access token")
    kinds = token.add_subparsers(dest="kind", required=True)
    rest = kinds.add_parser("rest", help="a REST API token (rest_api: true)")
    rest.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    agent = kinds.add_parser("agent", help="an agent's client token (userId, icc_api: true)")
    agent.add_argument("user_id", help="the agent's stringee_user_id")
    agent.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")

    caresoft = commands.add_parser("caresoft", help="CareSoft CsCall mobile voice links")
    links = caresoft.add_subparsers(dest="link", required=True)
    login = links.add_parser("login-link", help="the CsCall login link")
    login.add_argument("--domain", required=True, help="the CareSoft domain (appDomain)")
    call = links.add_parser("call-link", help="a click-to-call link")
    call.add_argument("--phone", required=True, help="the customer's number")
    call.add_argument("--temp-id", help="the call's tempId (default: a new one)")
    for parser in (login, call):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--token", help="an appToken already minted")
        who.add_argument("--ipphone", help="mint the appToken for this IP phone")


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise LookupError(f"{name} is not set in the environment")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        print(_token(args) if args.command == "token" else _link(args))
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    except (TokenError, LinkError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _token(args: argparse.Namespace) -> str:
    secret = _env("PCC_API_KEY_SECRET")
    warning = short_secret_warning(secret)
    if warning:
        print(f"note: {warning}", file=sys.stderr)
    minter = TokenMinter(sid=_env("PCC_API_KEY_SID"), secret=secret)
    if args.kind == "rest":
        return minter.rest(ttl=args.ttl)
    return minter.agent(args.user_id, ttl=args.ttl)


def _link(args: argparse.Namespace) -> str:
    token = args.token or voice_token(args.ipphone, _env("CARESOFT_VOICE_TOKEN"))
    template = os.environ.get("CARESOFT_LINK_TEMPLATE") or DEFAULT_LINK_TEMPLATE
    if args.link == "login-link":
        return login_link(token=token, domain=args.domain, template=template)
    temp_id = args.temp_id or new_temp_id()
    return call_link(token=token, phone=args.phone, temp_id=temp_id, template=template)
