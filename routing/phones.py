"""Phone numbers in one form, so that every place a number names an agent agrees.

PCC writes numbers in E.164 without the ``+`` (``84901234567``); people and
other systems write ``+84 90 123 4567``, ``0084-90-123-4567`` or the national
``0901234567``. :func:`normal_number` brings all of them to PCC's form:
separators (spaces, dashes, dots, brackets) go, a leading ``+`` or ``00``
(the international prefix) goes, and a single leading ``0`` (Vietnam's trunk
prefix, PCC's home) becomes the country code ``84``. Text that is not a phone
number (a SIP user, an id) comes back as it was, trimmed.
"""

from __future__ import annotations

__all__ = ["COUNTRY_CODE", "is_phone_number", "normal_number"]

COUNTRY_CODE = "84"
_SEPARATORS = str.maketrans("", "", " -.()\t")
_MAX_DIGITS = 20


def normal_number(text: str) -> str:
    """``text`` in PCC's form (``84…``) when it is a phone number, else ``text`` trimmed."""
    trimmed = text.strip()
    compact = trimmed.translate(_SEPARATORS)
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif compact.startswith("0") and len(compact) > 1:
        digits = COUNTRY_CODE + compact[1:]
    else:
        digits = compact
    if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:
        return digits
    return trimmed


def is_phone_number(text: str) -> bool:
    """Whether ``text`` reads as a phone number in any of the accepted forms."""
    normal = normal_number(text)
    return normal.isascii() and normal.isdigit() and len(normal) <= _MAX_DIGITS
