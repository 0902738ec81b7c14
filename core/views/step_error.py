"""A failed step's error as people read it: the message in full, the user's frames before dagdeck's
own, the step's last stderr lines and the fix the engine suggested. The console's error view and
its run header read it from here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import dagdeck.core
import dagdeck.store

_FRAME = re.compile(r'^\s*File "(?P<file>.+)", line (?P<line>\d+), in (?P<func>.+)$')
_FIX = re.compile(r"\(fix: (?P<fix>.+)\)\s*$")
_CARETS = re.compile(r"^\s*[\^~\s]+$")
_CORE = Path(dagdeck.core.__path__[0]).resolve()
_FACADE = _CORE.parent / "dagdeck" if (_CORE.parent / "dagdeck").is_dir() else _CORE.parent
_OWN_ROOTS = tuple(
    str(p) + "/"
    for p in (_CORE, Path(dagdeck.store.__path__[0]).resolve(), _CORE.parent / "tui", _FACADE / "")
)
"""dagdeck's own source folders (engine, store, console; the facade's own files when installed as
one package): frames there are the engine calling the user's code."""


@dataclass(frozen=True, slots=True)
class Frame:
    file: str
    line: int
    function: str
    code: str = ""

    @property
    def own(self) -> bool:
        """A frame of dagdeck itself (folded), not of the user's code."""
        try:
            path = str(Path(self.file).resolve())
        except OSError:
            path = self.file
        if path.startswith(_OWN_ROOTS[:3]):
            return True
        facade = _OWN_ROOTS[3]
        return path.startswith(facade) if _CORE.parent != _FACADE else str(Path(path).parent) + "/" == facade


@dataclass
class StepError:
    step_key: str
    message: str
    """The error as recorded (`Type: message`), in full."""
    exception: list[str] = field(default_factory=list)
    """The traceback's closing lines (the exception and any chained ones), in full."""
    frames: list[Frame] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    attempt: int = 1

    @property
    def user_frames(self) -> list[Frame]:
        return [f for f in self.frames if not f.own]

    @property
    def own_frames(self) -> list[Frame]:
        return [f for f in self.frames if f.own]

    @property
    def fix(self) -> str | None:
        """What the engine said to do about it: its `(fix: ...)`, or the part after `; ` of a
        message the engine raised itself ("has no stored value; materialize it first ...")."""
        found = _FIX.search(self.message)
        if found:
            return found.group("fix")
        if not self.frames or not self.frames[-1].own:
            return None  # the user's own exception: its words are not the engine's advice
        _, sep, after = self.message.partition("; ")
        return after.strip() if sep and after.strip() else None

    @property
    def one_line(self) -> str:
        """The first line of the message, for a header."""
        return (self.message.strip().splitlines() or [""])[0]


def parse_traceback(text: str | None) -> tuple[list[Frame], list[str]]:
    """The frames of a formatted Python traceback (chained ones included, in order) and its last
    exception lines."""
    frames: list[Frame] = []
    exception: list[str] = []
    pending: dict[str, str] | None = None
    for raw in (text or "").splitlines():
        m = _FRAME.match(raw)
        if m:
            if pending is not None:
                frames.append(_frame(pending))
            pending = {"file": m["file"], "line": m["line"], "func": m["func"], "code": ""}
            exception = []
            continue
        if raw.startswith(" ") and pending is not None:
            if not pending["code"] and not _CARETS.match(raw):
                pending["code"] = raw.strip()
            continue
        if pending is not None:
            frames.append(_frame(pending))
            pending = None
        if raw.startswith("Traceback (most recent call last)"):
            continue
        if raw.strip():
            exception.append(raw)
        elif exception:
            exception.append("")
    if pending is not None:
        frames.append(_frame(pending))
    while exception and not exception[-1].strip():
        exception.pop()
    return frames, exception


def _frame(d: dict[str, str]) -> Frame:
    return Frame(d["file"], int(d["line"]), d["func"], d["code"])


def step_error(
    step_key: str,
    error: str | None,
    traceback: str | None,
    stderr: str = "",
    attempt: int = 1,
    tail: int = 20,
) -> StepError:
    """A failed step's error for the error view; `stderr` is the step's captured stderr."""
    frames, exception = parse_traceback(traceback)
    lines = stderr.splitlines()
    return StepError(
        step_key, error or "(no error message recorded)", exception, frames, lines[-tail:], attempt
    )
