"""/openapi.json: generated from the route table and the body models, valid, and complete."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from pcc_router.api.routes import ROUTES
from pcc_router.api.views.schemas import AgentCreate, NumberCreate, QueueCreate
from pcc_router.routing import AgentId, GroupId, GroupRoute, NumberSpec, QueueId, QueueSpec
from pcc_router.routing.model import AgentSpec
from pcc_router.routing.projects import agent_to_dict, number_to_dict, queue_to_dict

Client = TestClient


@pytest.fixture
async def spec(client: Client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status == 200
    found: dict[str, Any] = await response.json()
    return found


async def test_the_description_is_a_valid_openapi_document(spec: dict[str, Any]) -> None:
    validate(spec)  # raises on any deviation from OpenAPI 3.1
    assert spec["openapi"] == "3.1.0"


async def test_every_route_is_described_with_its_bodies(
    client: Client, spec: dict[str, Any]
) -> None:
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in client.app.router.routes()
        if route.method != "HEAD"
        and route.resource is not None
        and not route.resource.canonical.startswith(("/docs/static", "/docs/init.js", "/static"))
    }
    described = {(m, p) for p, operations in spec["paths"].items() for m in operations}
    assert served == described
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert "default" in answers and any(s.startswith("2") for s in answers), path
            bodiless = ("/v1/sync", "/caresoft/webhook", "/v1/board/link")
            if method in ("post", "put") and path not in bodiless:
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert body["$ref"].startswith("#/components/schemas/"), (method, path)


async def test_a_body_schema_is_the_one_requests_are_checked_against(
    client: Client, spec: dict[str, Any], auth: dict[str, str]
) -> None:
    queue = spec["components"]["schemas"]["QueueCreate"]
    assert queue["additionalProperties"] is False and "strategy" in queue["properties"]
    # what the schema calls unknown, the route refuses, naming the field
    response = await client.post(
        "/v1/queues", headers=auth, json={"id": "q", "groups": [{"group": "tier1"}], "x": 1}
    )
    assert response.status == 400 and "x is not a known field" in (await response.json())["message"]


def test_config_bodies_know_the_fields_of_the_project_format() -> None:
    """The REST bodies and the core's codec name the same fields."""
    queue = QueueSpec(
        id=QueueId("q"),
        groups=(GroupRoute(group=GroupId("g")),),
        maximum_queue_wait_time=60,
        maximum_queue_size=3,
        get_list_agents_url="u",
    )
    assert set(queue_to_dict(queue)) - {"overflow"} <= set(QueueCreate.model_fields)
    assert set(QueueCreate.model_fields) == set(queue_to_dict(queue)) | {"overflow"}
    number = NumberSpec(number="1", queue_id=QueueId("q"))
    assert set(number_to_dict(number)) | {"ivr"} == set(NumberCreate.model_fields)
    agent = AgentSpec(stringee_user_id=AgentId("a"))
    # sip_password is not project data: it goes to Stringee's call API, and nowhere else
    assert set(agent_to_dict(agent)) | {"sip_password"} == set(AgentCreate.model_fields)


async def test_docs_is_swagger_ui_served_from_the_package(client: Client) -> None:
    page = await (await client.get("/docs")).text()
    assert "/docs/static/swagger-ui-bundle.js" in page and "/docs/init.js" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing from a CDN
    assert "<script>" not in page  # no inline script: the page's CSP allows none
    start = await (await client.get("/docs/init.js")).text()
    assert "/openapi.json" in start and "http" not in start
    script = await client.get("/docs/static/swagger-ui-bundle.js")
    assert script.status == 200 and len(await script.read()) > 100_000


def test_routes_are_declared_once() -> None:
    keys = [(route.method, route.path) for route in ROUTES]
    assert len(keys) == len(set(keys))
