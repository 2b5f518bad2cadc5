"""``serve --scenario``: a scenario's project into the store at start, as one more input.

The store is the truth at a restart: seeding adds the agents, groups, queues
and numbers the store does not hold yet and changes nothing stored (an agent
who logged out, or set herself NOT AVAILABLE, stays so), unless ``--reset``
asks for the scenario's project to be written over it.

Replicas start together: seeding takes the project's lock (the same one every
input takes), so a second instance waits for the first and then finds
everything there. A seed that changed the store logs a ``config`` row in the
same transaction, so instances already running rebuild from it, like after
any configuration change.
"""

from __future__ import annotations

import json
import time
import uuid

from pcc_router.api.store import repo
from pcc_router.api.store.records import LogEntry
from pcc_router.routing import Project

__all__ = ["seed"]


def seed(store: repo.Store, project: Project, *, reset: bool = False) -> list[str]:
    """Seed ``store`` with ``project`` (see the module); what was added, or written."""
    with store.session() as session:
        repo.serialise(session)
        added = repo.seed_project(session, project, reset=reset)
        if added:
            session.flush()
            body = json.dumps({"seeded": added[:100], "reset": reset})
            entry = LogEntry(
                kind="config", key=f"config|{uuid.uuid4().hex}", body=body, received_at=time.time()
            )
            repo.append_log(session, [entry])
    return added
