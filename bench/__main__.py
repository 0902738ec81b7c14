"""`python -m bench {engine,runs}`; each prints its figures with targets and always exits 0."""

from __future__ import annotations

import sys

USAGE = """usage: python -m bench COMMAND [options]

commands:
  engine   load / plan / in-process run cost of chain, wide and 10-layer DAGs (issue 2)
  runs     launch latency, cancel latency, multiprocess per-step overhead (issue 3)

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
    print(f"unknown command {cmd!r}\n\n{USAGE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
