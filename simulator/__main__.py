"""``python -m pcc_router.simulator`` runs the ``pcc-router`` command line."""

from __future__ import annotations

import sys

from pcc_router.simulator.cli import main

sys.exit(main())
