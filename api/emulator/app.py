"""The emulator's aiohttp application: PCC's REST subset, ``/_emulator``, docs and health.

PCC's paths (``/v1/...``) take a REST token in ``X-STRINGEE-AUTH``, as PCC
does, for the configured API key; ``/_emulator``, ``/healthz``,
``/openapi.json`` and ``/docs`` are open: the emulator listens on loopback
unless told otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from pydantic import BaseModel

from pcc_router.api.emulator import bodies as b
from pcc_router.api.emulator import control, rest, rest_queues, rest_sip
from pcc_router.api.emulator.driver import Emulator
from pcc_router.api.emulator.keys import API_KEY, EMULATOR
from pcc_router.api.emulator.records import RestError
from pcc_router.api.stringee.tokens import TokenError, verify_rest_token
from pcc_router.api.web.docs import add_doc_assets, doc_routes
from pcc_router.api.web.errors import ApiError
from pcc_router.api.web.keys import METRICS, OPENAPI
from pcc_router.api.web.metrics import Metrics
from pcc_router.api.web.middlewares import error_middleware
from pcc_router.api.web.openapi import spec
from pcc_router.api.web.routing import Guard, Handler, Route, mount
from pcc_router.simulator.version import VERSION

__all__ = ["EMULATOR_ROUTES", "create_emulator_app"]

log = logging.getLogger("pcc_router.emulator")


def _route(tag: str, guard: Guard) -> Callable[..., Route]:
    """A maker of routes answering PCC's envelope, under ``tag``, for ``guard``."""

    def make(
        method: str, path: str, handler: Handler, summary: str, body: type[BaseModel] | None = None
    ) -> Route:
        return Route(
            method=method,
            path=path,
            handler=handler,
            summary=summary,
            tag=tag,
            body=body,
            answers={200: b.Envelope},
            guard=guard,
        )

    return make


_pcc = _route("PCC REST", "token")  # PCC's own paths: a REST token, as PCC wants
_own = _route("emulator", "open")  # /_emulator and health: open, on loopback


EMULATOR_ROUTES: tuple[Route, ...] = (
    _pcc("POST", "/v1/agent", rest.create_agent, "Create an agent", b.AgentIn),
    _pcc("GET", "/v1/agent", rest.list_agents, "List agents (page, limit, stringee_user_id)"),
    _pcc("PUT", "/v1/agent/{id}", rest.update_agent, "Update an agent", b.AgentPatch),
    _pcc("DELETE", "/v1/agent/{id}", rest.delete_agent, "Delete an agent"),
    _pcc("POST", "/v1/group", rest.create_group, "Create a group", b.GroupIn),
    _pcc("GET", "/v1/group", rest.list_groups, "List groups"),
    _pcc("PUT", "/v1/group/{id}", rest.update_group, "Rename a group", b.GroupIn),
    _pcc("DELETE", "/v1/group/{id}", rest.delete_group, "Delete a group"),
    _pcc(
        "POST", "/v1/manage-agents-in-group", rest.add_member, "Add an agent to a group", b.MemberIn
    ),
    _pcc("GET", "/v1/manage-agents-in-group", rest.list_members, "A group's agents (?group=)"),
    _pcc(
        "DELETE",
        "/v1/manage-agents-in-group",
        rest.remove_member,
        "Remove an agent from a group",
        b.MemberIn,
    ),
    _pcc(
        "POST",
        "/v1/routing-call-to-groups",
        rest_queues.create_routing,
        "Route a queue to a group",
        b.RoutingIn,
    ),
    _pcc(
        "GET", "/v1/routing-call-to-groups", rest_queues.list_routings, "A queue's groups (?queue=)"
    ),
    _pcc(
        "PUT",
        "/v1/routing-call-to-groups/{id}",
        rest_queues.update_routing,
        "Make a group primary or backup",
        b.RoutingPatch,
    ),
    _pcc(
        "DELETE", "/v1/routing-call-to-groups/{id}", rest_queues.delete_routing, "Unroute a group"
    ),
    _pcc("POST", "/v1/queue", rest_queues.create_queue, "Create a queue", b.QueueIn),
    _pcc("GET", "/v1/queue", rest_queues.list_queues, "List queues"),
    _pcc("PUT", "/v1/queue/{id}", rest_queues.update_queue, "Update a queue", b.QueueIn),
    _pcc("DELETE", "/v1/queue/{id}", rest_queues.delete_queue, "Delete a queue"),
    _pcc("POST", "/v1/number", rest_queues.create_number, "Add a number", b.NumberIn),
    _pcc("GET", "/v1/number", rest_queues.list_numbers, "List numbers"),
    _pcc("PUT", "/v1/number/{id}", rest_queues.update_number, "Update a number", b.NumberIn),
    _pcc("DELETE", "/v1/number/{id}", rest_queues.delete_number, "Remove a number"),
    _pcc("GET", "/v1/callsettings", rest_queues.get_settings, "The project's call settings"),
    _pcc(
        "PUT",
        "/v1/callsettings",
        rest_queues.put_settings,
        "Set event_url, get_customer_info_url",
        b.CallSettingsIn,
    ),
    _pcc(
        "POST", "/v1/sipphone", rest_sip.create_sipphone, "Create a SIP phone account", b.SipPhoneIn
    ),
    _pcc("GET", "/v1/sipphone", rest_sip.list_sipphones, "List SIP phone accounts"),
    _pcc(
        "DELETE", "/v1/sipphone/{username}", rest_sip.delete_sipphone, "Delete a SIP phone account"
    ),
    _own("POST", "/_emulator/calls", control.place_call, "Place a call now", b.CallIn),
    _own("GET", "/_emulator/calls", control.list_calls, "Every call: its rings and outcome"),
    _own("POST", "/_emulator/clock", control.clock, "Advance virtual time", b.ClockIn),
    _own(
        "GET",
        "/_emulator/deliveries",
        control.deliveries,
        "Every event delivery, request for agents and customer-info fetch",
    ),
    _own(
        "PUT",
        "/_emulator/agents/{user}",
        control.set_agent,
        "An emulated agent's presence and pick-up",
        b.AgentBehaviourIn,
    ),
    _own("GET", "/_emulator/state", control.state, "The clock, what is pending, the KPIs"),
    _own("GET", "/healthz", control.healthz, "Liveness"),
    *doc_routes("emulator"),
)


def _pcc_token(request: web.Request) -> None:
    """Guard ``token``: PCC's paths take a REST token of the configured key, as PCC does."""
    token = request.headers.get("X-STRINGEE-AUTH")
    if not token:
        raise ApiError(401, "a REST token is required in X-STRINGEE-AUTH")
    sid, secret = request.app[API_KEY]
    try:
        verify_rest_token(token, sid=sid, secret=secret)
    except TokenError as exc:
        raise ApiError(401, f"token refused: {exc}") from None


@web.middleware
async def _rest_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refused change is PCC's envelope, with PCC's ``r``."""
    try:
        return await handler(request)
    except RestError as exc:
        return web.json_response({"r": exc.r, "message": exc.message}, status=exc.status)


def create_emulator_app(emulator: Emulator, *, api_key: tuple[str, str]) -> web.Application:
    """The emulator's app; it starts and closes ``emulator`` with itself."""
    app = web.Application(middlewares=[error_middleware, _rest_errors], client_max_size=1 << 20)
    app[EMULATOR] = emulator
    app[API_KEY] = api_key
    app[METRICS] = Metrics()
    # clients written against PCC also send /v1/agent/ (a trailing slash): PCC answers both,
    # so does the emulator (the description names the form without it)
    mount(app, EMULATOR_ROUTES, checks={"token": _pcc_token, "open": None},
          slash_too=lambda route: route.path.startswith("/v1/"))  # fmt: skip
    add_doc_assets(app)
    app[OPENAPI] = spec(
        EMULATOR_ROUTES,
        version=VERSION,
        title="pcc-router PCC emulator",
        description="A local Stringee PCC for one scenario: PCC's REST subset, call events "
        "to event_url, requests to get_list_agents_url; /_emulator to drive it.",
    )

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await emulator.start()
        yield
        await emulator.close()

    app.cleanup_ctx.append(lifetime)
    return app
