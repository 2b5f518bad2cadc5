"""The credentials commands read from the environment, and the one message a missing one gets.

Every command that needs a Stringee API key (``PCC_API_KEY_SID``,
``PCC_API_KEY_SECRET``), a project id or CareSoft's voice token says the same
thing when it is not set: :func:`not_set`.
"""

from __future__ import annotations

__all__ = ["not_set"]

#: What each credential is, for the one message a missing one gets (:func:`not_set`).
_CREDENTIALS = {
    "PCC_API_KEY_SID": "the SID of your Stringee API key, SK...",
    "PCC_API_KEY_SECRET": "the secret of your Stringee API key",
    "PCC_PROJECT_ID": "your Stringee project's id",
    "CARESOFT_VOICE_TOKEN": "CareSoft's voice API token",
}


def not_set(name: str) -> str:
    """The one message for a setting every command needs and nobody gave."""
    what = _CREDENTIALS.get(name)
    return f"{name} is not set in the environment" + (f" ({what})" if what else "")
