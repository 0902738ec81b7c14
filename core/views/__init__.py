"""The read models: what the CLI and the console show of runs, assets (health, staleness,
freshness marks), schedules and sensors, and the console's asset and job rows. Built from the
definitions and the store; above running and automation, whose data they read."""
