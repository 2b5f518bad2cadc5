"""Bad scenario files: a clear error naming the file, the key and (when known) the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator import ScenarioError, load_scenario

GOOD = """\
version = 1
numbers = [{ number = "1", queue_id = "q" }]
queues = [{ id = "q", groups = [{ group = "g" }] }]
groups = [{ id = "g", agents = ["a"] }]
agents = [{ stringee_user_id = "a", online = ["app"] }]
calls = [{ id = "c1", at = 0, to = "1" }]
expect = [{ call = "c1", answered_by = "a" }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    return caught.value


def test_the_good_file_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert [a.stringee_user_id for a in scenario.project.agents] == ["a"]


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            'online = ["app"]',
            'online = ["app"], routng_type = 2',
            "agents[0].routng_type",
            "unknown key",
        ),
        ('online = ["app"]', 'online = ["web"]', "agents[0].online[0]", "'web' is not one of"),
        ('queue_id = "q"', 'queue_id = "nope"', "numbers[0].queue_id", "no queue 'nope'"),
        ("at = 0", 'at = "5 minutes"', "calls[0].at", "is not a duration"),
        ("at = 0", "at = -3", "calls[0].at", "finite number of seconds >= 0"),
        (
            'groups = [{ group = "g" }]',
            'groups = [{ group = "g" }], strategy = "fastest"',
            "queues[0].strategy",
            "'fastest' is not one of",
        ),
        (
            'id = "q", groups',
            'id = "q", wait_agent_answer_timeout = "2s", groups',
            "queues[0].wait_agent_answer_timeout",
            "at least 3 s",
        ),
        ('answered_by = "a"', 'answered_by = "zed"', "expect[0].answered_by", "no agent 'zed'"),
        ('to = "1" }', 'to = "2" }', "calls[0].to", "no [[numbers]] entry"),
        ("version = 1", "version = 2", "version", "only format version 1"),
        ('id = "q", groups', 'id = ["q"], groups', "queues[0].id", "expected a string"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, old: str, new: str, where: str, message: str) -> None:
    assert old in GOOD
    error = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert error.where == where
    assert message in error.message
    assert error.file.endswith("s.toml")


def test_error_gives_the_line_when_the_key_is_spelled_once(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('online = ["app"]', 'online = ["app"], colour = 1'))
    assert error.line == 5
    assert str(error).startswith(f"{error.file}:5: agents[0].colour: unknown key")


def test_toml_syntax_error(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('stringee_user_id = "a"', "stringee_user_id = "))
    assert "not valid TOML" in error.message
    assert error.line == 5


def test_missing_required_and_missing_file(tmp_path: Path) -> None:
    assert error_of(tmp_path, GOOD.replace("version = 1\n", "")).where == "version"
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "absent.toml")


def test_traffic_needs_calls_or_until(tmp_path: Path) -> None:
    text = GOOD + (
        '[[traffic]]\nto = "1"\narrivals = { process = "poisson", per_hour = 60 }\n'
        'talk = { dist = "exponential", mean = "1m" }\n'
    )
    assert error_of(tmp_path, text).where == "traffic[0].calls"
    assert load_scenario(
        write(tmp_path, text.replace("per_hour = 60 }", "per_hour = 60 }\ncalls = 5"))
    )


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, GOOD.replace('online = ["app"]', 'online = ["app"], colour = 1'))
    assert main(["simulate", str(bad)]) == 2
    assert "agents[0].colour: unknown key" in capsys.readouterr().err
    assert main(["check", str(bad)]) == 2
    good = write(tmp_path, GOOD)
    assert main(["check", str(good)]) == 0
    assert "ok: 1 numbers, 1 queues" in capsys.readouterr().out
    assert main(["simulate", str(good), "--json"]) == 0
    failing = write(tmp_path, GOOD.replace('answered_by = "a"', 'outcome = "abandoned"'))
    assert main(["simulate", str(failing), "--json"]) == 1


TABLES = """\
version = 1

[[numbers]]
number = "1"
queue_id = "q"

[[queues]]
id = "q"
groups = [{ group = "g" }]

[[groups]]
id = "g"
agents = ["a", "zed"]

[[agents]]
stringee_user_id = "a"

[[agents]]
stringee_user_id = "b"
"""


@pytest.mark.parametrize(
    ("change", "line", "where", "words"),
    [
        ((), 13, "groups[0].agents[1]", "no agent 'zed'"),  # a group names a missing agent
        ((('"zed"', '"b"'), ('"b"\n', '"a"\n')), 19, "agents[1].stringee_user_id", "twice"),
        ((('"zed"', '"b"'), ("[[numbers]]", "[[nubmers]]")), 3, "nubmers", "'numbers'"),
    ],
)
def test_project_mistakes_name_their_line(
    tmp_path: Path,
    change: tuple[tuple[str, str], ...],
    line: int,
    where: str,
    words: str,
) -> None:
    text = TABLES
    for old, new in change:
        text = text.replace(old, new)
    error = error_of(tmp_path, text)
    assert (error.line, error.where) == (line, where) and words in error.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (GOOD.encode("utf-16"), "UTF-16"),
        (b"version = 1\n\xff\xfe\x00garbage", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, words: str
) -> None:
    path = tmp_path / "odd.toml"
    path.write_bytes(data)
    assert main(["check", str(path)]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and words in error and "Traceback" not in error


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario(path).project.agents
