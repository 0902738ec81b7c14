"""`python -m bench {engine,runs,automation,scale,console}`; each prints its figures with targets and always exits 0."""

from __future__ import annotations

import sys

USAGE = """usage: python -m bench COMMAND [options]

commands:
  engine   load / plan / in-process run cost of chain, wide and 10-layer DAGs (issue 2)
  runs     launch latency, cancel latency, multiprocess per-step overhead (issue 3)
  automation  schedule tick lateness and file-sensor file-to-run latency (issue 5)
  scale    Dask per-step overhead (1,000 steps) and PostgreSQL vs SQLite on the engine shapes (issue 7)
  console  first paint, key latency and RSS of the console: 5,000 assets, 100,000 runs (issue 4)
  partitions  planning and launching a backfill of 10,000 daily partitions (issue 16)

`python -m bench COMMAND --help` for options."""


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "engine":
        from bench import engine

        engine.main(rest)
        return 0
    if cmd == "engine-case":  # internal: one measured case in a fresh process
        from bench import engine

        return engine.case_main(rest)
    if cmd == "runs":
        from bench import runs

        runs.main(rest)
        return 0
    if cmd == "automation":
        from bench import automation

        automation.main(rest)
        return 0
    if cmd == "scale":
        from bench import scale

        scale.main(rest)
        return 0
    if cmd == "scale-case":  # internal: one measured case in a fresh process
        from bench import scale

        return scale.case_main(rest)
    if cmd == "console":
        from bench import console

        console.main(rest)
        return 0
    if cmd == "partitions":
        from bench import partitions

        partitions.main(rest)
        return 0
    if cmd == "console-case":  # internal: the measured console process / the ConsoleAPI timings
        from bench import console

        return console.case_main(rest)
    print(f"unknown command {cmd!r}\n\n{USAGE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
