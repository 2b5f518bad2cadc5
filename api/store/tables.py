"""Tables (SQLModel): agents, groups, queues, numbers, calls, the event log, timers, the
engine's state beyond agents (queues' round-robin positions, open calls' memory), CareSoft calls.

Nested PCC fields (a queue's group routings, a number's menu) are JSON
documents in a text column, in the scenario format's field names.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

__all__ = [
    "BIG_ID",
    "AgentRow",
    "CallMemoryRow",
    "CallRow",
    "CareSoftCallRow",
    "EventRow",
    "GroupRow",
    "MarkRow",
    "NumberRow",
    "QueueRow",
    "QueueStateRow",
    "SchemaVersion",
    "TimerRow",
]


#: A 64-bit id that still auto-increments on SQLite (where only INTEGER is the rowid).
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class AgentRow(SQLModel, table=True):
    __tablename__ = "agents"
    stringee_user_id: str = Field(primary_key=True)
    name: str = ""
    phone_number: str = ""
    routing_type: int = 1
    manual_status: str = "AVAILABLE"
    app: bool = False
    push_token: str | None = None
    sip_expires: float | None = None  # epoch seconds; None: no registration
    system_status: int = 1
    call_id: str | None = None
    pcc_id: str | None = None  # PCC's own agent id (AG_...), once synced
    # What the strategies remember, so that a restart keeps it (schema 3).
    idle_since: float | None = None
    handled: int = 0
    talk_time: float = 0.0
    no_answers: int = 0
    consecutive_no_answers: int = 0
    # What the agent is doing (schema 5): with the above, the engine's snapshot of her.
    activity: str = "idle"  # idle | ringing | talking | wrap_up
    until: float | None = None  # when the ring or the wrap-up ends
    call_since: float | None = None  # when PCC says the current call was answered
    answered_at: float = 0.0
    # The SIP phone account this controller created at Stringee (its sipusername; schema 7).
    # Never the password.
    sip_account: str | None = None
    # Whether PCC reported her current ring, and when her wallboard state last changed
    # (schema 8): with the above, a rebuilt engine is the engine it came from.
    ring_heard: bool = False
    state_since: float | None = None


class GroupRow(SQLModel, table=True):
    __tablename__ = "groups"
    id: str = Field(primary_key=True)
    agents: str = "[]"  # JSON list of stringee_user_id, in order


class QueueRow(SQLModel, table=True):
    __tablename__ = "queues"
    id: str = Field(primary_key=True)
    spec: str  # JSON object: the scenario format's queue fields, durations in seconds


class NumberRow(SQLModel, table=True):
    __tablename__ = "numbers"
    number: str = Field(primary_key=True)
    spec: str  # JSON object: queue_id or ivr, keypress_timeout


class CallRow(SQLModel, table=True):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_open_seen", "is_open", "last_seen"),
        Index("ix_calls_caller_first_seen", "caller", "first_seen"),
        Index("ix_calls_queue_open", "queue_id", "is_open"),
        Index("ix_calls_queued_at", "queued_at"),
    )
    call_id: str = Field(primary_key=True)
    queue_id: str | None = None
    status: str = ""
    # timestamp_ms of the newest event applied: epoch milliseconds need 64 bits (schema 4)
    last_ts_ms: int = Field(default=-1, sa_column=Column(BigInteger, nullable=False))
    agent_id: str | None = None
    caller: str = ""  # the customer's number, in its normal form
    callee: str = ""
    first_seen: float = 0.0  # when the controller first heard of the call (epoch seconds)
    last_seen: float = 0.0  # when it last heard of it: a call silent too long is closed
    is_open: bool = True  # False once ended (or closed as lost)
    # when PCC first asked whom to ring for it, and when it was answered (schema 6)
    queued_at: float | None = None
    answered_at: float | None = None


class EventRow(SQLModel, table=True):
    """Append-only log of accepted inputs; ``key`` makes a redelivery a no-op.

    ``seq`` is the log's order (schema 9): given out by the ``log_seq`` counter in
    ``store_marks``, which every writing transaction bumps, so positions follow commit
    order with no gap. ``id`` (the table's own sequence) does not: PostgreSQL hands ids
    out at insert, not at commit.
    """

    __tablename__ = "event_log"
    __table_args__ = (Index("ux_event_log_seq", "seq", unique=True),)
    id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, primary_key=True, autoincrement=True)
    )
    key: str = Field(unique=True, index=True)
    kind: str
    call_id: str = Field(default="", index=True)
    ts_ms: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    applied: bool = True  # False: older than what was already applied for the call
    body: str  # the input as received (a PCC body as PCC sent it), for audit
    #: The engine events the input meant, through :mod:`pcc_router.routing.codec` (schema 4):
    #: what other instances and replays apply.
    events: str = "[]"
    received_at: float
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: Why PCC's ``timestamp_ms`` was not taken as it came (schema 9), else ``None``.
    adjusted: str | None = None


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    key: str = Field(primary_key=True)
    at: float


class QueueStateRow(SQLModel, table=True):
    """A queue's round-robin position (schema 8): who was offered first last."""

    __tablename__ = "queue_state"
    queue_id: str = Field(primary_key=True)
    rr_last: int


class CallMemoryRow(SQLModel, table=True):
    """What the engine remembers of an open PCC-routed call (schema 8).

    ``seq`` keeps the engine's order (oldest first): a row keeps it when updated.
    """

    __tablename__ = "call_memory"
    seq: int | None = Field(
        default=None, sa_column=Column(BIG_ID, primary_key=True, autoincrement=True)
    )
    call_id: str = Field(unique=True)
    queue_id: str | None = None
    tries: str = "[]"  # JSON list of [agent, unanswered rings], in the order they happened


class MarkRow(SQLModel, table=True):
    """Named numbers the store keeps about itself: ``log_pruned_to`` (schema 8), the newest
    log position pruned (an engine behind it rebuilds from the state rows); ``log_seq``
    (schema 9), the newest log position given out; ``store_id`` (schema 9), this store's
    identity, so that a controller notices its store replaced under it."""

    __tablename__ = "store_marks"
    name: str = Field(primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class CareSoftCallRow(SQLModel, table=True):
    __tablename__ = "caresoft_calls"
    temp_id: str = Field(primary_key=True)
    ipphone: str
    phone: str
    created_at: float
    status: str = "created"
    call_id: str | None = Field(default=None, index=True)
    history: str = "[]"  # JSON list of webhook deliveries


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"
    id: int = Field(default=1, primary_key=True)
    version: int
