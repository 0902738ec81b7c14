"""Usage errors, `--version`, completion and `--readonly`: the `dagdeck` script behaves like a Python CLI."""

from __future__ import annotations

import importlib.metadata
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import DAGDECK, one_line_error, run_dagdeck, run_many
from typer.testing import CliRunner

from dagdeck.cli import app
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, assets_spec

WriteDefs = Callable[..., Path]

DEFS = """
import dagdeck as dg

@dg.asset
def a():
    return 1

defs = dg.Definitions(assets=[a], jobs=[dg.define_asset_job("a_job", selection="a")])
"""

# (arguments, a fragment the one error line must name)
USAGE_ERRORS: list[tuple[tuple[str, ...], str]] = [
    (("runs", "show"), "run_id"),  # missing argument
    (("runs", "list", "--limit", "abc"), "--limit"),  # bad value
    (("runs", "list", "--limit", "0"), "--limit"),  # out of range
    (("--bogus",), "--bogus"),  # unknown global option
    (("check", "--bogus"), "--bogus"),  # unknown command option
    (("frobnicate",), "frobnicate"),  # unknown command
    (("--readonly", "runs", "list"), "--readonly"),  # console-only option with another command
    (("runs", "cancel", "ffffffff"), "no run 'ffffffff'"),  # a DagdeckError, same shape
]


def test_usage_errors_print_one_line_and_exit_2(home: Path, write_defs: WriteDefs) -> None:
    defs = write_defs(DEFS)
    procs = run_many([args for args, _ in USAGE_ERRORS], home=home, file=defs)
    for proc, (args, fragment) in zip(procs, USAGE_ERRORS, strict=True):
        line = one_line_error(proc)
        assert line.startswith("error: "), (args, line)
        assert fragment in line, (args, line)
        assert proc.stdout == "", (args, proc.stdout)


def test_usage_error_points_at_the_commands_help(home: Path) -> None:
    line = one_line_error(run_dagdeck("runs", "list", "--limit", "abc", home=home))
    assert "'dagdeck runs list --help'" in line


def test_version_prints_the_installed_version(home: Path) -> None:
    proc = run_dagdeck("--version", home=home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"dagdeck {importlib.metadata.version('dagdeck')}\n"
    assert proc.stderr == ""
    assert not (home / "dagdeck.db").exists()  # eager: no instance was opened


def test_help_offers_version_readonly_and_completion(home: Path) -> None:
    helped = run_dagdeck("--help", home=home)
    assert helped.returncode == 0, helped.stderr
    for option in ("--version", "--readonly", "--install-completion", "--show-completion"):
        assert option in helped.stdout, option


def test_shell_completion_answers_from_the_script(home: Path) -> None:
    """What the installed completion script asks `dagdeck` when the user presses tab."""
    bash = {"_DAGDECK_COMPLETE": "complete_bash", "COMP_WORDS": "dagdeck runs l", "COMP_CWORD": "2"}
    proc = run_dagdeck(home=home, env=bash)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["list", "logs"]


def test_ctrl_c_exits_130_without_a_traceback(home: Path, instance: Instance, write_defs: WriteDefs) -> None:
    loaded = load(CodeLocation(file=str(write_defs(DEFS))))
    spec, _plan = assets_spec(loaded.defs, loaded.location, {AssetKey("a")}, trigger="cli")
    run = Launcher(instance).submit(spec, start=False)  # stays QUEUED: `--follow` never ends on its own
    logs = instance.run_logs_dir(run.run_id)
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "a.stdout").write_text("started\n")

    proc = subprocess.Popen(
        [str(DAGDECK), "--home", str(home), "runs", "logs", run.run_id, "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(home.parent),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not inherited as ignored
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "a.stdout: started\n"  # it is following now
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err


class ConsoleSpy:
    """Stands in for the Textual console: records what `tui` asked it to open."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, instance: Any, location: Any, readonly: bool = False) -> int:
        self.calls.append({"home": Path(instance.home), "location": location.label, "readonly": readonly})
        return 0


@pytest.mark.parametrize(
    ("args", "readonly"),
    [
        ((), False),
        (("--readonly",), True),
        (("tui",), False),
        (("tui", "--readonly"), True),
        (("--readonly", "tui"), True),
    ],
)
def test_console_opens_read_only_when_asked(
    args: tuple[str, ...], readonly: bool, home: Path, write_defs: WriteDefs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagdeck.tui.app

    spy = ConsoleSpy()
    monkeypatch.setattr(dagdeck.tui.app, "run_console", spy)
    defs = write_defs(DEFS)
    result = CliRunner().invoke(app, ["-f", str(defs), "--home", str(home), *args])
    assert result.exit_code == 0, result.output
    assert spy.calls == [{"home": home, "location": str(defs), "readonly": readonly}]
