"""Every route of the controller, once: its handler, what it takes and answers, who may call it.

:mod:`pcc_router.api.app` mounts these (:func:`pcc_router.api.web.routing.mount`),
each behind the check of its guard, and :mod:`pcc_router.api.web.openapi`
describes them from this same table: the published API, and who may call each
route, cannot drift from the one served.
"""

from __future__ import annotations

from pcc_router.api.stringee import schemas as s
from pcc_router.api.views import admin, caresoft, config, live, pcc
from pcc_router.api.views import schemas as a
from pcc_router.api.web.docs import doc_routes
from pcc_router.api.web.models import Ack
from pcc_router.api.web.routing import Handler, Route

__all__ = ["ROUTES"]


def _admin(method: str, path: str, handler: Handler, summary: str, **more: object) -> Route:
    return Route(method=method, path=path, handler=handler, summary=summary, tag="admin", **more)  # type: ignore[arg-type]


_PCC = "PCC callbacks"
_CS = "CareSoft"

ROUTES: tuple[Route, ...] = (
    Route(method="GET", path="/healthz", handler=admin.healthz,
          summary="liveness: the process answers (the store is not asked)",
          tag="service", answers={200: a.Health}, guard="open"),
    Route(method="GET", path="/readyz", handler=admin.readyz,
          summary="readiness: the store can write now (503 when not)",
          tag="service", answers={200: a.Health, 503: a.Health}, guard="open"),
    Route(method="GET", path="/metrics", handler=admin.metrics, summary="Prometheus metrics",
          tag="service", answers={200: "text/plain"}, guard="open"),
    Route(method="POST", path="/pcc/events", handler=pcc.events, tag=_PCC, guard="pcc",
          summary="PCC event_url: call events, idempotent and order-safe",
          body=s.PccEventCallback, answers={200: Ack}),
    Route(method="POST", path="/pcc/agents-for-queue", handler=pcc.agents_for_queue, tag=_PCC,
          summary="PCC get_list_agents_url: routable agents in ring order (version 2)",
          body=s.AgentsRequest, answers={200: s.AgentsAnswer}, guard="pcc"),
    Route(method="GET", path="/pcc/agents-for-queue", handler=pcc.agents_for_queue, tag=_PCC,
          summary="get_list_agents_url asked with a GET (one call)",
          query=s.AgentsQuery, answers={200: s.AgentsAnswer}, guard="pcc"),
    Route(method="GET", path="/pcc/customer-info", handler=pcc.customer_info, tag=_PCC,
          summary="PCC get_customer_info_url: the caller's newest call",
          query=s.CustomerInfoQuery, answers={200: s.CustomerInfo}, guard="pcc"),
    _admin("POST", "/v1/tokens/agent", admin.token, "mint an agent's Stringee client token",
           body=a.TokenRequest, answers={200: a.TokenAnswer}),
    _admin("GET", "/v1/agents", admin.agents, "agents: state, online channels, verdict",
           answers={200: a.AgentList}),
    _admin("POST", "/v1/agents", config.create_agent, "create an agent (mirrored to PCC)",
           body=a.AgentCreate, answers={201: a.ConfigAnswer}, deadline="remote"),
    _admin("GET", "/v1/agents/{agent_id}", admin.agent, "one agent, with why it is not routable",
           answers={200: a.AgentOut}),
    _admin("PUT", "/v1/agents/{agent_id}", admin.update_agent,
           "change manual_status, routing_type, phone_number",
           body=a.AgentChange, answers={200: a.AgentOut}, deadline="remote"),
    _admin("DELETE", "/v1/agents/{agent_id}", config.delete_agent, "delete an agent",
           answers={200: a.ConfigAnswer}, deadline="remote"),
    _admin("POST", "/v1/agents/{agent_id}/presence", admin.presence,
           "app login/logout, push register/unregister, SIP register",
           body=a.PresenceChange, answers={200: a.AgentOut}),
    _admin("POST", "/v1/groups", config.create_group, "create or replace a group",
           body=a.GroupCreate, answers={201: a.ConfigAnswer}),
    _admin("DELETE", "/v1/groups/{group_id}", config.delete_group, "delete a group",
           answers={200: a.ConfigAnswer}),
    _admin("POST", "/v1/queues", config.create_queue, "create or replace a queue",
           body=a.QueueCreate, answers={201: a.ConfigAnswer}),
    _admin("GET", "/v1/queues/{queue_id}", admin.queue,
           "waiting calls, ring order, and why others are not routable",
           answers={200: a.QueueOut}),
    _admin("DELETE", "/v1/queues/{queue_id}", config.delete_queue, "delete a queue",
           answers={200: a.ConfigAnswer}),
    _admin("POST", "/v1/numbers", config.create_number, "create or replace a number",
           body=a.NumberCreate, answers={201: a.ConfigAnswer}),
    _admin("DELETE", "/v1/numbers/{number}", config.delete_number, "delete a number",
           answers={200: a.ConfigAnswer}),
    _admin("GET", "/v1/calls/{call_id}", admin.call, "a call's history as received and applied",
           answers={200: a.CallOut}),
    _admin("POST", "/v1/sync", admin.sync, "pull the configuration from PCC now",
           answers={200: a.SyncAnswer}, deadline="remote"),
    _admin("GET", "/v1/stream", live.stream, "server-sent events of every state change",
           answers={200: "text/event-stream"}, deadline="stream", guard="board"),
    _admin("GET", "/v1/board", live.board, "the wallboard's numbers: queues today, agents now",
           answers={200: a.Board}, guard="board"),
    _admin("POST", "/v1/board/link", live.board_link,
           "a wallboard link with a short-lived sign-in ticket", answers={200: a.LinkAnswer}),
    Route(method="POST", path="/v1/caresoft/token", handler=caresoft.token, tag=_CS,
          summary="CareSoft mobile voice JWT {ipphone}",
          body=a.CareSoftTokenRequest, answers={200: a.CareSoftTokenAnswer}),
    Route(method="POST", path="/v1/caresoft/links/login", handler=caresoft.link_login, tag=_CS,
          summary="CsCall login link", body=a.CareSoftTokenRequest, answers={200: a.LinkAnswer}),
    Route(method="POST", path="/v1/caresoft/links/call", handler=caresoft.link_call, tag=_CS,
          summary="CsCall click-to-call link with a unique temp_id",
          body=a.CareSoftCallRequest, answers={200: a.CallLinkAnswer}),
    Route(method="GET", path="/v1/caresoft/calls/{temp_id}", handler=caresoft.call_status,
          tag=_CS, summary="what is known of a click-to-call call",
          answers={200: a.CareSoftCallOut}),
    Route(method="POST", path="/caresoft/webhook", handler=caresoft.webhook, tag=_CS,
          summary="CareSoft webhook deliveries (X-Hub-Signature checked)",
          answers={200: a.WebhookAnswer}, guard="caresoft"),
    *doc_routes("service"),
    Route(method="GET", path="/", handler=live.wallboard, tag="service",
          summary="the wallboard", answers={200: "text/html"}, guard="open"),
)  # fmt: skip
