"""The wallboard in headless Chromium, live, against the controller fed by the emulator.

Calls are placed on the emulator (virtual time); the page, opened once,
shows agents ringing and talking and a call waiting, then follows the next
changes through /v1/stream without being reloaded. The screenshot in
docs/wallboard.png is this page (``PCC_SCREENSHOT=docs/wallboard.png`` writes it again).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pcc_router.api.sessions import board_link
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.simulator import load_scenario
from tests.api.support import SECRET, SID
from tests.browser import browser_page
from tests.conftest import HOTLINE
from tests.e2e.support import side_by_side


def state_of(agent: str) -> str:
    return f"document.querySelector('[data-agent=\"{agent}\"]')?.dataset.state"


async def test_the_wallboard_shows_calls_ringing_talking_and_waiting(tmp_path: Path) -> None:
    scenario = dataclasses.replace(load_scenario(HOTLINE), calls=(), events=(), expects=())
    async with side_by_side(scenario, tmp_path) as pair, browser_page() as page:
        pcc = pair.pcc
        for _ in range(3):
            await pcc.place_call("02473000062", keys="0", talk=600)
        await pcc.advance(5)  # alice (2 s) and carol (4 s) have picked up; bob never does
        for _ in range(3):  # dave rings, then henry (the backup group), then nobody is left
            await pcc.place_call("02473000062", keys="0", talk=600)
        minter = TokenMinter(sid=SID, secret=SECRET)
        await page.goto(board_link(str(pair.controller.make_url("")), minter))
        await page.wait_for(f'{state_of("alice")} === "talking"')
        # signed in by the ticket: the address holds no credential, and the session
        # cookie is out of the page's reach (HttpOnly)
        assert await page.value("location.pathname + location.search") == "/"
        assert await page.value("document.cookie") == ""
        states = {
            agent: await page.value(state_of(agent))
            for agent in ("alice", "bob", "carol", "dave", "erin", "gina", "henry")
        }
        assert states == {
            "alice": "talking", "bob": "ringing", "carol": "talking", "dave": "ringing",
            "erin": "offline", "gina": "not_available", "henry": "ringing",
        }  # fmt: skip
        waiting = "document.querySelector('[data-queue=\"support\"]').dataset.waiting"
        assert await page.value(waiting) == "4"  # unanswered: three ringing, one with nobody
        gina = await page.value(
            "document.querySelector('[data-agent=\"gina\"] .reason').textContent"
        )
        assert "LUNCH BREAK" in gina
        assert await page.value('document.getElementById("link").dataset.state') == "live"
        shot = await page.screenshot()
        assert shot.startswith(b"\x89PNG") and len(shot) > 20_000
        if os.environ.get("PCC_SCREENSHOT"):
            Path(os.environ["PCC_SCREENSHOT"]).write_bytes(shot)
        # live: dave and henry pick up (6 s and 2 s after their rings began); the page
        # follows through /v1/stream without a reload
        await pcc.advance(7)
        await page.wait_for(f'{state_of("dave")} === "talking"')
        summary = "document.querySelector('[data-count=\"talking\"] b').textContent"
        assert await page.value(summary) == "4"
        assert await page.value(state_of("henry")) == "talking"
