"""Staffing plans: agents per interval that meet a target under PCC's real routing.

- :mod:`~pcc_router.simulator.plan.forecast`: the scenario as a forecast, the targets;
- :mod:`~pcc_router.simulator.plan.requirement`: Erlang A per interval, then the
  requirement the whole simulated day needs;
- :mod:`~pcc_router.simulator.plan.shifts`: agents per shift covering it, by an integer
  program;
- :mod:`~pcc_router.simulator.plan.days`: one staffed day, run and counted per interval;
- :mod:`~pcc_router.simulator.plan.output`: the table, JSON, plots and the roster file;
- :mod:`~pcc_router.simulator.plan.cli`: ``pcc-router plan``.
"""
