"""CareSoft CsCall links, voice tokens and webhook signatures, on the guide's own examples."""

from __future__ import annotations

import jwt
import pytest

from pcc_router.api.cli import main
from pcc_router.api.stringee.caresoft import (
    LinkError,
    call_link,
    login_link,
    new_temp_id,
    sign_webhook,
    verify_webhook,
    voice_token,
)

GUIDE_LOGIN = (
    "https://caresoftcall.page.link/?link=https%3A%2F%2Fmapi.caresoft.vn%2Fdangnhap%3FappToken"
    "%3D123456%26appDomain%3Dtest&apn=com.caresoft.caresoftcall&isi=6447892382"
    "&ibi=com.caresoft.caresoftcall&efr=1"
)
GUIDE_CALL = (
    "https://caresoftcall.page.link/?link=https%3A%2F%2Fmapi.caresoft.vn%2Fcall%3Fphone"
    "%3D0988888888%26appToken%3D123456%26tempId%3D0123456789&apn=com.caresoft.caresoftcall"
    "&isi=6447892382&ibi=com.caresoft.caresoftcall&efr=1"
)


def test_the_guides_worked_examples() -> None:
    assert login_link(token="123456", domain="test") == GUIDE_LOGIN
    assert call_link(token="123456", phone="0988888888", temp_id="0123456789") == GUIDE_CALL


def test_bare_template_and_bad_input() -> None:
    bare = login_link(token="123456", domain="test", template="{url}")
    assert bare == "https://mapi.caresoft.vn/dangnhap?appToken=123456&appDomain=test"
    with pytest.raises(LinkError, match="must contain"):
        login_link(token="1", domain="d", template="https://example.invalid/")
    with pytest.raises(LinkError, match="phone"):
        call_link(token="1", phone="09-88", temp_id="1")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_voice_token_payload_is_only_ipphone() -> None:
    token = voice_token("50007", "voice-secret")
    assert jwt.decode(token, "voice-secret", algorithms=["HS256"]) == {"ipphone": "50007"}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_webhook_signature_matches_caresofts_vector() -> None:
    body = b'{"ticket_id":1}'
    assert sign_webhook(body, "CS123") == "420A69CE7D3C36559E9828D6361530DF30065D37"
    assert verify_webhook(body, "CS123", "420a69ce7d3c36559e9828d6361530df30065d37")
    assert not verify_webhook(body + b" ", "CS123", "420A69CE7D3C36559E9828D6361530DF30065D37")
    assert not verify_webhook(body, "CS123", None)


def test_temp_ids_are_digits_and_differ() -> None:
    ids = {new_temp_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 16 and i.isdigit() for i in ids)


def test_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["caresoft", "login-link", "--token", "123456", "--domain", "test"]) == 0
    assert capsys.readouterr().out.strip() == GUIDE_LOGIN
    argv = ["caresoft", "call-link", "--phone", "0988888888", "--temp-id", "0123456789"]
    assert main([*argv, "--token", "123456"]) == 0
    assert capsys.readouterr().out.strip() == GUIDE_CALL
    monkeypatch.delenv("CARESOFT_VOICE_TOKEN", raising=False)
    assert main([*argv, "--ipphone", "50007"]) == 2
    assert "CARESOFT_VOICE_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("CARESOFT_VOICE_TOKEN", "voice-secret")
    assert main([*argv, "--ipphone", "50007"]) == 0
    url = capsys.readouterr().out.strip()
    assert voice_token("50007", "voice-secret") in url


def test_token_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PCC_API_KEY_SID", raising=False)
    monkeypatch.delenv("PCC_API_KEY_SECRET", raising=False)
    assert main(["token", "rest"]) == 2
    assert "PCC_API_KEY_SID is not set" in capsys.readouterr().err
    monkeypatch.setenv("PCC_API_KEY_SID", "SK1")
    assert main(["token", "rest"]) == 2
    assert "PCC_API_KEY_SECRET is not set" in capsys.readouterr().err
    monkeypatch.setenv("PCC_API_KEY_SECRET", "a-secret-of-thirty-two-bytes-xx!")
    assert main(["token", "agent", "alice", "--ttl", "60"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert claims["userId"] == "alice" and claims["icc_api"] is True
    assert main(["token", "rest", "--ttl", "0"]) == 2
