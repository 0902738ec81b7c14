"""The `dagdeck` command line, one module per command group.

`app` holds the Typer app, the global options and `main`; `context` the per-invocation state that
commands read from `ctx.obj`; `output` how everything prints; `launch` what running commands share;
`jobs`, `runs`, `assets` and `automation` the commands. `app` imports the command modules, never the
other way round, so the package has no import cycle.
"""
