"""``python -m pcc_router.api`` runs the ``pcc-router`` command line."""

from __future__ import annotations

import sys

from pcc_router.api.cli import main

sys.exit(main())
