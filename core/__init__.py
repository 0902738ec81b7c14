"""The engine, installed as `dagdeck.core`: no UI, no SQL.

Rooms, each a subpackage:
- `defs/`: what users write (assets, ops, graphs, jobs, selection, schedules, sensors, checks,
  metadata, config, IO managers, `Definitions`) and the loader that turns a code location into them.
- `running/`: planning, executing steps and checks, executors, events, launching runs, workers,
  processes, and `running/run_status.py`, the only place a run's status changes.
- `automation/`: the daemon that fires schedules and sensors and drains the run queue.
- `views/`: read models for the CLI and the console (runs, assets and their health, automation).
- `cli/`: the `dagdeck` command line.

Basics shared by every room sit beside them: `errors`, `events`, `timefmt`, `settings`, `instance`.
`console_api` is the one module the console (`dagdeck.tui`) talks to.
"""
