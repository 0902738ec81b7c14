"""The automation room: the daemon that fires schedules and sensors, drains the run queue and marks
overdue assets. Above `running` (it launches runs), below `views` (which read what it records).

- `daemon`: the loop, one pass at a time; `lease`: which daemon fires.
- `schedule_firing` and `schedule_ticks`: which ticks are due and firing them.
- `sensor_evaluations`, `sensor_ticks`, `file_sensor`: evaluating sensors.
- `tick_records`: any tick and its runs, written so a killed daemon's tick is resumed, not lost.
- `run_queue`: the daemon's draining and worker watching; `freshness`: overdue marks.
- `watch`: the one file watcher (file sensors, definitions reload, the console via `console_api`).
- `instigators`, `loop_context`: the stored on/off switch; what the loop's parts share.
"""
