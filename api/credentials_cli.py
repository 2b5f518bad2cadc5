"""``pcc-router token`` and ``pcc-router caresoft``: credentials and links, printed.

Secrets come from the environment (``PCC_API_KEY_SID``, ``PCC_API_KEY_SECRET``,
``CARESOFT_VOICE_TOKEN``; ``CARESOFT_LINK_TEMPLATE`` optional); a missing one
is exit 2 naming the variable, in the one wording of
:func:`pcc_router.api.settings.not_set`.
"""

from __future__ import annotations

import argparse
import os
import sys

from pcc_router.api.stringee.credentials import not_set
from pcc_router.simulator.cli import command

__all__ = ["add_parsers", "run"]


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``token`` and ``caresoft`` to ``commands``."""
    _token_parser(commands)
    _caresoft_parser(commands)


def run(args: argparse.Namespace) -> int:
    """Print what ``token`` or ``caresoft`` asked for; exit 2 on a missing secret."""
    # here, not at the top: `pcc-router check` should not load PyJWT and cryptography
    from pcc_router.api.stringee.caresoft import LinkError
    from pcc_router.api.stringee.tokens import TokenError

    try:
        print(_token(args) if args.command == "token" else _link(args))
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    except (TokenError, LinkError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _token_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = command(
        commands,
        "token",
        summary="print a Stringee access token or a wallboard link",
        about="Print a token signed with PCC_API_KEY_SID / PCC_API_KEY_SECRET (Stringee's "
        "format), or a wallboard link with a short-lived sign-in ticket.",
        examples=(
            "pcc-router token rest --ttl 600",
            "pcc-router token agent alice",
            "pcc-router token board --url https://pcc.example.com",
        ),
    )
    kinds = token.add_subparsers(dest="kind", required=True, metavar="KIND")
    rest = kinds.add_parser("rest", help="a REST API token (rest_api: true)")
    rest.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    agent = kinds.add_parser("agent", help="an agent's client token (userId, icc_api: true)")
    agent.add_argument("user_id", help="the agent's stringee_user_id")
    agent.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    board = kinds.add_parser("board", help="a wallboard link with a short-lived sign-in ticket")
    board.add_argument(
        "--url", default="http://127.0.0.1:8080", help="the controller's address (default :8080)"
    )
    board.add_argument("--ttl", type=int, default=600, help="the ticket's lifetime (default 600)")


def _caresoft_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    caresoft = command(
        commands,
        "caresoft",
        summary="CareSoft CsCall mobile voice links",
        examples=(
            "pcc-router caresoft login-link --domain test --token 123456",
            "CARESOFT_VOICE_TOKEN=... pcc-router caresoft call-link --phone 0901234567 "
            "--ipphone 50007",
        ),
    )
    links = caresoft.add_subparsers(dest="link", required=True, metavar="LINK")
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
        raise LookupError(not_set(name))
    return value


def _token(args: argparse.Namespace) -> str:
    from pcc_router.api.stringee.tokens import TokenMinter, short_secret_warning

    sid, secret = _env("PCC_API_KEY_SID"), _env("PCC_API_KEY_SECRET")
    warning = short_secret_warning(secret)
    if warning:
        print(f"note: {warning}", file=sys.stderr)
    minter = TokenMinter(sid=sid, secret=secret)
    if args.kind == "rest":
        return minter.rest(ttl=args.ttl)
    if args.kind == "board":
        from pcc_router.api.sessions import board_link

        return board_link(args.url, minter, ttl=args.ttl)
    return minter.agent(args.user_id, ttl=args.ttl)


def _link(args: argparse.Namespace) -> str:
    from pcc_router.api.stringee.caresoft import (
        DEFAULT_LINK_TEMPLATE,
        call_link,
        login_link,
        new_temp_id,
        voice_token,
    )

    token = args.token or voice_token(args.ipphone, _env("CARESOFT_VOICE_TOKEN"))
    template = os.environ.get("CARESOFT_LINK_TEMPLATE") or DEFAULT_LINK_TEMPLATE
    if args.link == "login-link":
        return login_link(token=token, domain=args.domain, template=template)
    temp_id = args.temp_id or new_temp_id()
    return call_link(token=token, phone=args.phone, temp_id=temp_id, template=template)
