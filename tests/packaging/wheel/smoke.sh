#!/usr/bin/env bash
# The built wheel as a new user gets it: installed into a fresh venv outside the repository, used from
# an empty project directory that has its own `core` package. Run by `make test` (so by CI).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PYTHON="${PYTHON:-python3}"
WHEEL="$(ls "$ROOT"/build/wheel/dagdeck-*.whl)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dagdeck-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check -c "$ROOT/constraints.txt" "$WHEEL"
BIN="$WORK/venv/bin"

# the wheel installs one top-level package, and ships the store migrations and the console styles
"$BIN/python" - "$WHEEL" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
assert tops == {"dagdeck"}, tops
top_level = [n for n in names if n.endswith("top_level.txt")]
assert not top_level or zipfile.ZipFile(sys.argv[1]).read(top_level[0]).split() == [b"dagdeck"]
for needed in ("dagdeck/store/migrations/versions/0001_baseline.py", "dagdeck/store/alembic.ini", "dagdeck/tui/app.tcss", "dagdeck/py.typed", "dagdeck/core/console_api/__init__.py", "dagdeck/core/console_api/runs.py"):
    assert needed in names, needed
print("wheel: one top-level package, dagdeck")
PY

mkdir -p "$WORK/project/core"
cd "$WORK/project"
echo "" > core/__init__.py
printf 'def double(x: int) -> int:\n    return 2 * x\n' > core/helpers.py
cat > defs.py <<'PY'
import dagdeck as dg
from core.helpers import double


@dg.asset(description="Numbers.")
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset
def doubled(numbers: list[int]) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"total": sum(double(n) for n in numbers)})


defs = dg.Definitions(assets=[numbers, doubled])
PY
export DAGDECK_HOME="$WORK/project/.dagdeck" NO_COLOR=1
"$BIN/dagdeck" --version
"$BIN/dagdeck" -f defs.py check
"$BIN/dagdeck" -f defs.py materialize --select '*'
"$BIN/python" "$HERE/pilot.py" defs.py
echo "wheel: installed copy works from an empty project with its own core package"
