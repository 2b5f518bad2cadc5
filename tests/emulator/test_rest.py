"""PCC's REST subset on the emulator: PCC's paths, envelopes, ids, paging, auth and refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.emulated import EmulatedPcc


async def test_paths_need_a_rest_token_of_the_emulators_key(pcc: EmulatedPcc) -> None:
    async with aiohttp.ClientSession() as http:
        bare = await http.get(pcc.url + "/v1/agent")
        assert bare.status == 401 and (await bare.json())["r"] == 401
        other = TokenMinter(sid="SKother", secret="another-secret-another-secret-00").rest()
        forged = await http.get(pcc.url + "/v1/agent", headers={"X-STRINGEE-AUTH": other})
        assert forged.status == 401 and "signature" in (await forged.json())["message"]
        agent = TokenMinter(sid=pcc.api_key[0], secret=pcc.api_key[1]).agent("alice")
        client = await http.get(pcc.url + "/v1/agent", headers={"X-STRINGEE-AUTH": agent})
        assert client.status == 401 and "rest_api" in (await client.json())["message"]
        open_ = await http.get(pcc.url + "/_emulator/state")
        assert open_.status == 200


async def test_agents_are_listed_as_pcc_lists_them(pcc: EmulatedPcc) -> None:
    page = await pcc.rest("GET", "/v1/agent?page=2&limit=3")
    assert page["r"] == 0 and page["message"] == "Load agents success" and page["project"] == 1
    data = page["data"]
    assert (data["totalAgents"], data["totalPages"], data["currentPage"], data["limit"]) == (
        "8", 3, 2, 3,
    )  # fmt: skip
    assert [a["stringee_user_id"] for a in data["agents"]] == ["dave", "erin", "frank"]
    dave = data["agents"][0]
    assert dave["id"].startswith("AG_") and dave["routing_type"] == 2
    assert dave["phone_number"] == "84901234567" and dave["system_status"] == 1
    one = await pcc.rest("GET", "/v1/agent?stringee_user_id=gina")
    assert [a["manual_status"] for a in one["data"]["agents"]] == ["LUNCH BREAK"]
    bad = await pcc.rest("GET", "/v1/agent?limit=0")
    assert bad["status"] == 400 and "limit" in bad["message"]


async def test_an_agent_made_by_rest_is_routed_once_in_a_group(pcc: EmulatedPcc) -> None:
    ivy = {"name": "Ivy", "stringee_user_id": "ivy", "allow_out_of_business_hour_callout": True}
    made = await pcc.rest("POST", "/v1/agent", ivy)
    assert made["r"] == 0 and made["agentID"].startswith("AG_"), made
    again = await pcc.rest("POST", "/v1/agent", {"name": "Ivy", "stringee_user_id": "ivy"})
    assert (again["status"], again["r"]) == (409, 2)
    joined = await pcc.rest("POST", "/v1/manage-agents-in-group",
                            {"agent_id": made["agentID"], "group_id": "tier1"})  # fmt: skip
    assert joined["message"] == "Add agent to Group success"
    members = await pcc.rest("GET", "/v1/manage-agents-in-group?group=tier1")
    assert made["agentID"] in [m["agent_id"] for m in members["data"]["groupAgents"]]
    engine = pcc.emulator.world.sim.engine
    assert engine.has_agent("ivy") and "ivy" in engine.members("support")
    assert not engine.verdict("ivy", 0.0).routable  # made offline: no presence of her own
    await pcc.rest("PUT", "/v1/agent/" + made["agentID"], {"manual_status": "LUNCH BREAK"})
    assert engine.agent_view("ivy", 0.0).manual_status == "LUNCH BREAK"
    gone = await pcc.rest("DELETE", "/v1/agent/" + made["agentID"])
    assert gone["r"] == 0 and not pcc.emulator.world.sim.engine.has_agent("ivy")
    missing = await pcc.rest("DELETE", "/v1/agent/" + made["agentID"])
    assert (missing["status"], missing["r"]) == (404, 3)


async def test_queues_groups_routings_and_numbers(pcc: EmulatedPcc) -> None:
    queue = await pcc.rest("POST", "/v1/queue", {"name": "Sales", "wait_agent_answer_timeout": 20,
                                                "agent_wrap_up_after_calls": 0})  # fmt: skip
    group = await pcc.rest("POST", "/v1/group", {"name": "sales team"})
    route = await pcc.rest("POST", "/v1/routing-call-to-groups",
                           {"queue_id": queue["queueID"], "group_id": group["groupID"],
                            "primary_group": 1})  # fmt: skip
    number = await pcc.rest("POST", "/v1/number", {"number": "02471112222",
                                                  "queue_id": queue["queueID"]})  # fmt: skip
    assert [x["r"] for x in (queue, group, route, number)] == [0, 0, 0, 0]
    assert route["groupRoutingID"].startswith("GR_RO_") and number["numberID"].startswith("NU_")
    listed = await pcc.rest("GET", "/v1/queue")
    sales = next(q for q in listed["data"]["queues"] if q["id"] == queue["queueID"])
    assert (sales["agent_wrap_up_after_calls"], sales["wait_agent_answer_timeout"]) == (0, 20)
    engine = pcc.emulator.world.sim.engine
    assert engine.has_queue(queue["queueID"]) and engine.has_number("02471112222")
    routed = await pcc.rest("DELETE", "/v1/group/" + group["groupID"])
    assert (routed["status"], routed["r"]) == (409, 4) and "routing" in routed["message"]
    assert (await pcc.rest("GET", "/v1/group"))["data"]["totalGroups"] == "3"  # nothing changed


X = {"name": "X", "stringee_user_id": "x"}
REFUSED = [
    ("POST", "/v1/agent", {"stringee_user_id": "x"}, "name"),
    ("POST", "/v1/agent", {**X, "routing_type": 3}, "routing_type"),
    ("POST", "/v1/agent", {**X, "phone_number": "abc"}, "phone_number"),
    ("POST", "/v1/queue", {"name": "Q", "wait_agent_answer_timeout": 2}, "answer_timeout"),
    ("POST", "/v1/queue", {"name": "Q", "strategy": "loudest"}, "strategy"),
    (
        "POST",
        "/v1/routing-call-to-groups",
        {"queue_id": "support", "group_id": "tier1"},
        "primary_group",
    ),
    ("PUT", "/v1/callsettings", {"get_customer_info_timeout": "soon"}, "customer_info_timeout"),
    ("POST", "/v1/manage-agents-in-group", {"agent_id": "nobody", "group_id": "tier1"}, "nobody"),
]


@pytest.mark.parametrize(("method", "path", "body", "names"), REFUSED)
async def test_refusals_name_the_field_and_change_nothing(
    pcc: EmulatedPcc, method: str, path: str, body: dict[str, Any], names: str
) -> None:
    before = pcc.emulator.records
    answer = await pcc.rest(method, path, body)
    assert 400 <= answer["status"] < 500 and answer["r"] != 0, answer
    assert names in answer["message"]
    assert pcc.emulator.records is before


async def test_call_settings(pcc: EmulatedPcc) -> None:
    await pcc.point_at(event_url="http://127.0.0.1:9/events", customer_info_url="http://x/ci")
    settings = (await pcc.rest("GET", "/v1/callsettings"))["data"]
    assert settings["event_url"] == "http://127.0.0.1:9/events"
    assert settings["get_customer_info_url"] == "http://x/ci"
    assert settings["get_customer_info_timeout"] == 2000


async def test_the_controller_syncs_from_the_emulator_unchanged(
    pcc: EmulatedPcc, aiohttp_client: Any, tmp_path: Path
) -> None:
    from pcc_router.api.app import create_app
    from tests.api.support import make_settings

    settings = make_settings(tmp_path, scenario=None, base_url=pcc.url, pcc_enabled=True,
                             api_key_sid=pcc.api_key[0], api_key_secret=pcc.api_key[1])  # fmt: skip
    client = await aiohttp_client(create_app(settings))
    auth = {"X-STRINGEE-AUTH": TokenMinter(sid=pcc.api_key[0], secret=pcc.api_key[1]).rest()}
    synced = await client.post("/v1/sync", headers=auth)
    assert synced.status == 200, await synced.text()
    assert (await synced.json())["counts"] == {"agents": 8, "groups": 2, "queues": 1, "numbers": 1}
    agents = (await (await client.get("/v1/agents", headers=auth)).json())["agents"]
    assert sorted(a["stringee_user_id"] for a in agents) == sorted(
        a["stringee_user_id"] for a in pcc.emulator.records.agents.values()
    )
    queue = await (await client.get("/v1/queues/support", headers=auth)).json()
    assert queue["id"] == "support"
    # the controller mirrors a new agent to PCC: the emulator has her
    made = await client.post("/v1/agents", json={"stringee_user_id": "zoe", "name": "Zoe"},
                             headers=auth)  # fmt: skip
    assert made.status == 201 and (await made.json())["mirrored_to_pcc"] is True
    assert pcc.emulator.records.agent_by_user("zoe") is not None


async def test_a_change_during_a_call_reaches_the_routing_once_no_call_is_left(
    pcc: EmulatedPcc,
) -> None:
    await pcc.until_idle()
    await pcc.place_call("02473000062", keys="0", talk=30)
    assert pcc.emulator.world.busy()
    made = await pcc.rest("POST", "/v1/agent", {"name": "Kim", "stringee_user_id": "kim"})
    assert made["r"] == 0
    listed = await pcc.rest("GET", "/v1/agent?stringee_user_id=kim")
    assert listed["data"]["totalAgents"] == "1"  # REST shows her at once
    assert not pcc.emulator.world.sim.engine.has_agent("kim")  # the call is not moved
    await pcc.until_idle()
    assert pcc.emulator.world.sim.engine.has_agent("kim")
    assert next(c for c in pcc.calls() if c["id"] == "api-1")["outcome"] == "answered"


async def test_an_agent_made_during_a_call_can_be_changed_before_she_is_routed(
    pcc: EmulatedPcc,
) -> None:
    await pcc.until_idle()
    await pcc.place_call("02473000062", keys="0", talk=30)
    made = await pcc.rest("POST", "/v1/agent", {"name": "Mai", "stringee_user_id": "mai"})
    changed = await pcc.rest("PUT", "/v1/agent/" + made["agentID"], {"manual_status": "BREAK"})
    assert changed["r"] == 0, changed
    await pcc.until_idle()
    assert pcc.emulator.world.sim.engine.agent_view("mai", 0.0).manual_status == "BREAK"
