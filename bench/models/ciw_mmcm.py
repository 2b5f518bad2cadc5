"""The benchmark model in ciw 3.2: M/M/c with exponential reneging."""

from __future__ import annotations

import json
import sys

import ciw


def main() -> None:
    calls, agents_n = int(sys.argv[1]), int(sys.argv[2])
    ciw.seed(1)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=2.0)],
        service_distributions=[ciw.dists.Exponential(rate=1 / 60)],
        number_of_servers=[agents_n],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / 120)],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(calls, method="Arrive")
    records = sim.get_all_records()
    served = [r for r in records if r.record_type == "service"]
    reneged = [r for r in records if r.record_type == "renege"]
    waits = sum(r.waiting_time for r in served)
    print(json.dumps({"answered": len(served), "abandoned": len(reneged),
                      "asa": waits / max(len(served), 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
