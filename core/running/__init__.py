"""The running room: a run from plan to end. Planning, the shared scheduling loop and its executors,
one step and one check, events into the store, launching and queueing runs, worker processes, and
`run_status.py`, the only place a run's status changes. Above `defs`, below automation."""
