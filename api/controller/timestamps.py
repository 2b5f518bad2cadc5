"""When the controller takes a PCC event to have happened: PCC's ``timestamp_ms``, unless
it cannot be believed.

The rule, chosen so that no timestamp can pin an agent or strand one:

- a timestamp later than the controller's wall clock (by more than
  :data:`AHEAD_SLACK`), or further in the past than ``PCC_MAX_CLOCK_SKEW``,
  is taken as the moment the event was received;
- an event stamped before the newest event already applied for its call is
  a late delivery (``stale``: kept, not applied), except an event that can
  only free an agent: an ``ended`` (the whole call is over), or an
  ``agentEnded`` that names its agent. Those are taken in the call's order
  (at its newest event) and applied, so an ``ended`` stamped before its
  ``answered`` still frees her.

No event is refused for its timestamp. Each adjustment says why in words,
kept on the event's log row (``GET /v1/calls/{id}``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AHEAD_SLACK", "Stamp", "believed"]

#: Seconds an event may be stamped ahead of this clock before it is not believed (two
#: machines' clocks kept by NTP differ by far less).
AHEAD_SLACK = 2.0


@dataclass(frozen=True, slots=True)
class Stamp:
    """The time an event is taken at (PCC's clock, epoch ms), and why, if not its own."""

    ts_ms: int
    adjusted: str | None = None


def believed(
    ts_ms: int,
    *,
    wall: float,
    skew: float,
    last_ts_ms: int | None,
    frees: bool,
) -> Stamp | None:
    """The time to take an event stamped ``ts_ms`` at; ``None``: a late delivery (stale).

    ``wall``: this controller's wall clock (epoch s); ``skew``: PCC_MAX_CLOCK_SKEW (s);
    ``last_ts_ms``: the newest event applied for the call (``None``: none yet);
    ``frees``: the event can only free an agent.
    """
    stamp = _in_window(ts_ms, wall=wall, skew=skew)
    if last_ts_ms is None or stamp.ts_ms >= last_ts_ms:
        return stamp
    if not frees:
        return None
    behind = (last_ts_ms - stamp.ts_ms) / 1000
    reason = f"stamped {behind:.3f} s before the call's newest event; taken in the call's order"
    return Stamp(last_ts_ms, reason if stamp.adjusted is None else f"{stamp.adjusted}; {reason}")


def _in_window(ts_ms: int, *, wall: float, skew: float) -> Stamp:
    apart = ts_ms / 1000 - wall
    received = int(wall * 1000)
    if apart > AHEAD_SLACK:
        return Stamp(
            received,
            f"timestamp_ms {ts_ms} is {apart:.0f} s ahead of this "
            "controller's clock; taken at receive time",
        )
    if apart < -skew:
        return Stamp(
            received,
            f"timestamp_ms {ts_ms} is {-apart:.0f} s behind this "
            f"controller's clock, more than PCC_MAX_CLOCK_SKEW ({skew:g} s); "
            "taken at receive time",
        )
    return Stamp(min(ts_ms, received))
