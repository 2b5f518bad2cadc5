"""``/openapi.json``: the controller's API, described from its route table and body models.

OpenAPI 3.1 (its schemas are JSON Schema 2020-12, which pydantic writes).
Every operation has its request (body or query) and its answers: the
documented one, and every error as ``{"r", "message"}``. A test checks the
result with an OpenAPI validator, and schemathesis tests the running
controller against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from pcc_router.api.web.models import ErrorAnswer
from pcc_router.api.web.routing import Route

__all__ = ["spec"]

REF = "#/components/schemas/{model}"
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "token": [{"restToken": []}, {"accessToken": []}],
    "board": [{"restToken": []}, {"accessToken": []}, {"boardSession": []}],
    "pcc": [{"stringeeSignature": []}, {"urlSecret": []}, {}],
    "caresoft": [{"hubSignature": []}, {}],
    "open": [],
}
SCHEMES = {
    "restToken": {"type": "apiKey", "in": "header", "name": "X-STRINGEE-AUTH",
                  "description": "a Stringee REST token (rest_api: true) for PCC_API_KEY_SID"},
    "accessToken": {"type": "apiKey", "in": "query", "name": "access_token",
                    "description": "the same token in the URL"},
    "stringeeSignature": {"type": "apiKey", "in": "header", "name": "X-STRINGEE-SIGNATURE",
                          "description": "base64 HMAC-SHA1 of the body (PCC_SIGNING_SECRET)"},
    "urlSecret": {"type": "apiKey", "in": "query", "name": "secret",
                  "description": "PCC_EVENT_SECRET, for unsigned callbacks"},
    "boardSession": {"type": "apiKey", "in": "cookie", "name": "pcc_board",
                     "description": "the wallboard's session (read-only pages)"},
    "hubSignature": {"type": "apiKey", "in": "header", "name": "X-Hub-Signature",
                     "description": "CareSoft: upper-case hex HMAC-SHA1 of the body"},
}  # fmt: skip


DESCRIPTION = (
    "Routing state and control for Stringee PCC: its callbacks, the agents' state and "
    "verdicts, configuration, CareSoft mobile voice."
)


def spec(
    routes: Iterable[Route],
    *,
    version: str,
    title: str = "pcc-router controller",
    description: str = DESCRIPTION,
) -> dict[str, Any]:
    """The OpenAPI document of these routes."""
    routes = list(routes)
    models: set[type[BaseModel]] = {ErrorAnswer}
    for route in routes:
        models.update(m for m in route.answers.values() if isinstance(m, type))
        if route.body is not None:
            models.add(route.body)
    keyed, components = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    refs: dict[type[BaseModel], Any] = {
        model: schema for (model, _), schema in keyed.items() if issubclass(model, BaseModel)
    }
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": description,
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components.get("$defs", {}),
            "securitySchemes": SCHEMES,
        },
    }


def _operation(route: Route, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
        "security": SECURITY[route.guard],
        "parameters": _path_parameters(route.path) + _query_parameters(route.query),
        "responses": {
            **{str(status): _answer(kind, refs) for status, kind in route.answers.items()},
            "default": {
                "description": "an error: a 4xx names the field; a 503 means the store is away",
                "content": {"application/json": {"schema": refs[ErrorAnswer]}},
            },
        },
    }
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[route.body]}},
        }
    return operation


def _operation_id(route: Route) -> str:
    """``get_v1_agents_agent_id``: the method and the path, so unique by construction."""
    words = "".join(c if c.isalnum() else " " for c in route.path).split()
    return "_".join([route.method.lower(), *words]) if words else f"{route.method.lower()}_root"


def _answer(kind: type[BaseModel] | str, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    if isinstance(kind, str):
        shape = {"type": "object"} if kind == "application/json" else {"type": "string"}
        return {"description": kind, "content": {kind: {"schema": shape}}}
    return {
        "description": (kind.__doc__ or kind.__name__).strip().splitlines()[0],
        "content": {"application/json": {"schema": refs[kind]}},
    }


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in names
    ]


def _query_parameters(query: type[BaseModel] | None) -> list[dict[str, Any]]:
    if query is None:
        return []
    schema = query.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        # a query parameter is text, or absent (never null)
        options = [o for o in field.get("anyOf", [field]) if o.get("type") != "null"]
        kept = {k: v for k, v in options[0].items() if k not in ("title", "default")}
        if "description" in field:
            kept["description"] = field["description"]
        parameters.append(
            {"name": name, "in": "query", "required": name in required, "schema": kept}
        )
    return parameters
