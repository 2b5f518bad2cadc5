"""The command line in one style: every command says what it does, shows examples and its
exit codes; the scenario is always SCENARIO; a missing credential is always said alike."""

from __future__ import annotations

import pytest

from pcc_router.api.cli import main

COMMANDS = [
    "simulate", "check", "theory", "sweep", "emulate", "serve", "prune", "replay", "sip",
    "token", "caresoft",
]  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_description_examples_and_exit_codes(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    rest = text.partition("\n\n")[2]
    description = rest.split("\n\n")[0]
    assert description.strip() and description.strip()[0].isupper(), text
    assert "examples:\n  pcc-router " in text or "examples:\n  " in text, text
    assert "exit codes:\n  0  " in text and "\n  2  " in text, text


@pytest.mark.parametrize("name", ["simulate", "check", "theory", "sweep", "emulate", "replay"])
def test_the_scenario_is_always_the_first_argument_named_scenario(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    usage = capsys.readouterr().out.split("\n\n")[0]
    assert "SCENARIO" in usage and " file" not in usage


@pytest.mark.parametrize(
    "argv",
    [
        ["token", "rest"],
        ["emulate", "scenarios/hotline_02473000062.toml"],
        ["serve", "--port", "1"],
    ],
)
def test_a_missing_credential_is_said_one_way(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PCC_API_KEY_SID", "PCC_API_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        "error: PCC_API_KEY_SID is not set in the environment "
        "(the SID of your Stringee API key, SK...)"
    )
