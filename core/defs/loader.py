"""Load a code location (a file, a module, or `[tool.dagdeck]` in pyproject.toml) into Definitions.

Every failure becomes one DefinitionError naming the file and line, so neither the CLI nor the
console ever shows a user a raw traceback for a mistake in their own code.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import inspect
import re
import sys
import sysconfig
import threading
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagdeck.core.defs.asset_loading import load_assets_from_modules
from dagdeck.core.defs.dagster_names import DAGSTER_NAMES
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.definitions_decorator import LazyDefinitions
from dagdeck.core.defs.graphs import GraphDefinition, JobDefinition
from dagdeck.core.defs.repository import RepositoryDefinition
from dagdeck.core.errors import (
    COMPATIBILITY_DOC,
    DefinitionError,
    UnsupportedImportError,
    UnsupportedNameError,
)

_import_lock = threading.Lock()


@dataclass(frozen=True)
class CodeLocation:
    file: str | None = None
    module: str | None = None
    working_dir: str = "."

    def __post_init__(self) -> None:
        if not self.file and not self.module:
            raise ValueError("a code location needs a file or a module")

    @property
    def label(self) -> str:
        return self.file or self.module or "?"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "module": self.module, "working_dir": self.working_dir}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> CodeLocation:
        return CodeLocation(data.get("file"), data.get("module"), data.get("working_dir") or ".")


@dataclass
class Loaded:
    defs: Definitions
    location: CodeLocation
    files: list[Path] = field(default_factory=list)
    """Source files of the location, for the console's file watcher."""


def find_location(file: str | None, module: str | None, cwd: Path | None = None) -> CodeLocation:
    """-f / -m, else `[tool.dagdeck]` in ./pyproject.toml."""
    cwd = (cwd or Path.cwd()).resolve()
    if file:
        path = Path(file).expanduser()
        path = path if path.is_absolute() else cwd / path
        return CodeLocation(file=str(path.resolve()), working_dir=str(cwd))
    if module:
        return CodeLocation(module=module, working_dir=str(cwd))
    pyproject = cwd / "pyproject.toml"
    if pyproject.exists():
        try:
            tool = tomllib.loads(pyproject.read_text()).get("tool", {}).get("dagdeck", {})
        except tomllib.TOMLDecodeError as err:
            raise DefinitionError(f"cannot read pyproject.toml: {err}", file=str(pyproject)) from None
        if tool.get("file"):
            return CodeLocation(file=str((cwd / tool["file"]).resolve()), working_dir=str(cwd))
        if tool.get("module"):
            return CodeLocation(module=str(tool["module"]), working_dir=str(cwd))
    raise DefinitionError(
        "no code location given",
        file=str(pyproject),
        fix="pass -f FILE or -m MODULE, or add [tool.dagdeck] module = '...' to pyproject.toml",
    )


def load(location: CodeLocation) -> Loaded:
    """Import the location afresh (user modules from an earlier load are dropped first)."""
    with _import_lock:
        wd = str(Path(location.working_dir).resolve())
        if wd not in sys.path:
            sys.path.insert(0, wd)
        _forget_user_modules()
        before = set(sys.modules)
        try:
            if location.file:
                module = _import_file(Path(location.file))
                origin = location.file
            else:
                assert location.module
                module = _import_module(location.module, wd)
                origin = getattr(module, "__file__", None) or location.module
        finally:
            _imported_by_loads.update(n for n in set(sys.modules) - before if _is_user_module(n))
        defs = _find_definitions(module, origin)
        files = _user_files(wd, location)
    return Loaded(defs, location, files)


def _import_file(path: Path) -> Any:
    if not path.exists():
        raise DefinitionError("file does not exist", file=str(path), fix="check the path given to -f")
    parent = str(path.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    name = f"dagdeck_user_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError("cannot import this file", file=str(path), fix="give a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except DefinitionError as err:
        sys.modules.pop(name, None)
        raise _with_file(err, str(path)) from None
    except BaseException as err:  # noqa: BLE001 - any error in user code is a load error
        sys.modules.pop(name, None)
        raise _user_code_error(err, str(path)) from None
    return module


def _import_module(name: str, wd: str) -> Any:
    try:
        return importlib.import_module(name)
    except DefinitionError as err:
        raise _with_file(err, _module_file(name, wd)) from None
    except ModuleNotFoundError as err:
        if err.name and name.startswith(err.name):
            raise DefinitionError(
                f"module {name!r} not found",
                file=wd,
                fix="run from the project directory or check the module name given to -m",
            ) from None
        raise _user_code_error(err, _module_file(name, wd)) from None
    except BaseException as err:  # noqa: BLE001
        raise _user_code_error(err, _module_file(name, wd)) from None


def location_files(location: CodeLocation) -> list[Path]:
    """The files a location starts from, known before (or without) a good load: the console
    watches them from the start, so fixing a definitions file that never loaded reloads it."""
    if location.file:
        return [Path(location.file)]
    assert location.module
    wd = str(Path(location.working_dir).resolve())
    parts = location.module.split(".")
    files = [Path(wd, *parts[:i], "__init__.py") for i in range(1, len(parts))]
    files.append(Path(_module_file(location.module, wd)))
    return [f for f in files if f.is_file()]


def _module_file(name: str, wd: str) -> str:
    base = Path(wd, *name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return str(candidate)
    return name


def _with_file(err: DefinitionError, file: str) -> DefinitionError:
    if err.file is None:
        err.file = file
    return err


def _user_code_error(err: BaseException, file: str) -> DefinitionError:
    if isinstance(err, SyntaxError):
        return DefinitionError(
            f"syntax error: {err.msg}",
            file=err.filename or file,
            line=err.lineno,
            fix="correct the line and save; the console reloads by itself",
        )
    frames = [f for f in traceback.extract_tb(err.__traceback__) if not _is_own_frame(f.filename)]
    last = frames[-1] if frames else None
    where_file = last.filename if last else file
    where_line = last.lineno if last else None
    if isinstance(err, UnsupportedNameError | UnsupportedImportError):
        return DefinitionError(
            f"dagdeck does not support {err.dagster_name!r} yet",
            file=where_file,
            line=where_line,
            fix=f"{COMPATIBILITY_DOC} lists what dagdeck supports and what to use instead",
        )
    keyword = _unknown_keyword(err)
    if keyword is not None:
        problem, fix = keyword
        return DefinitionError(problem, file=where_file, line=where_line, fix=fix)
    if isinstance(err, ImportError):
        fix = f"install the missing package or fix the import ({err.name or 'module'})"
    else:
        fix = "fix the error in the definitions code"
    return DefinitionError(
        f"{type(err).__name__} while loading: {err}", file=where_file, line=where_line, fix=fix
    )


_UNEXPECTED_KEYWORD = re.compile(r"^(?P<call>[\w.]+)\(\) got an unexpected keyword argument '(?P<kw>\w+)'$")


def _unknown_keyword(err: BaseException) -> tuple[str, str] | None:
    """A keyword a dagdeck function or class does not take (`dg.asset(partitions_def=...)`): a
    typo of one it takes gets a did-you-mean; any other is a Dagster keyword dagdeck lacks."""
    m = _UNEXPECTED_KEYWORD.match(str(err)) if isinstance(err, TypeError) else None
    if m is None:
        return None
    call, keyword = m["call"], m["kw"]
    name = call.split(".")[0]
    if name not in DAGSTER_NAMES:
        return None
    # the facade is imported by the user's code by now; looked up, not imported (it sits above us)
    target = getattr(sys.modules.get("dagdeck"), name, None)
    try:
        params = (
            [p for p in inspect.signature(target).parameters if p not in ("self", "fn")] if target else []
        )
    except (TypeError, ValueError):
        params = []
    close = difflib.get_close_matches(keyword, params, n=2, cutoff=0.8)  # a typo, not another keyword
    hint = "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""
    if hint:
        return f"{call}() got an unexpected keyword argument {keyword!r}", hint
    return (
        f"dagdeck does not support {keyword}= on {name} yet",
        f"remove it for now; {COMPATIBILITY_DOC} lists what dagdeck supports",
    )


def _is_own_module(name: str) -> bool:
    """dagdeck's own modules live under the `dagdeck` namespace; any other name is the user's."""
    return name == "dagdeck" or name.startswith("dagdeck.")


def _is_user_module(name: str) -> bool:
    """A module of the user's code, which a reload must import afresh: not dagdeck's, and not an
    installed or standard-library module the load happened to import first (dropping psutil from
    `sys.modules` would break psutil itself, which looks itself up there)."""
    if _is_own_module(name):
        return False
    module = sys.modules.get(name)
    paths = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or ())]
    paths = [str(p) for p in paths if p]
    return bool(paths) and not any(p.startswith(_installed_dirs()) for p in paths)


@functools.cache
def _installed_dirs() -> tuple[str, ...]:
    """Where the standard library and installed packages live (never the user's code)."""
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple(sorted({sysconfig.get_paths()[k].rstrip("/") + "/" for k in keys}))


def _own_dirs() -> tuple[str, ...]:
    """The folders of dagdeck's packages (an editable install maps them from several folders)."""
    dirs: set[str] = set()
    for name in ("dagdeck", "dagdeck.core", "dagdeck.store", "dagdeck.tui"):
        module = sys.modules.get(name)
        dirs.update(str(Path(p).resolve()) + "/" for p in getattr(module, "__path__", ()))
    return tuple(sorted(dirs))


def _is_own_frame(filename: str) -> bool:
    return filename.startswith("<frozen") or "importlib" in filename or filename.startswith(_own_dirs())


def _find_definitions(module: Any, origin: str) -> Definitions:
    """Dagster's loading order: one `@definitions` function (called), else a module-level
    Definitions (`defs` if several), else one `@repository`, else the module's one job, else its
    one graph (as a job), else its assets."""
    names = vars(module)
    lazy = _unique(names, LazyDefinitions, "@definitions functions", origin)
    if lazy is not None:
        try:
            return lazy().resolve()
        except DefinitionError as err:
            raise _with_file(err, origin) from None
        except Exception as err:  # noqa: BLE001 - any error in user code is a load error
            raise _user_code_error(err, origin) from None
    found = {k: v for k, v in names.items() if isinstance(v, Definitions)}
    if "defs" in found:
        return _resolved(found["defs"], origin)
    if len(found) == 1:
        return _resolved(next(iter(found.values())), origin)
    if found:
        raise DefinitionError(
            f"several Definitions objects ({', '.join(sorted(found))})",
            file=origin,
            fix="name the one to load `defs`",
        )
    repo = _unique(names, RepositoryDefinition, "repositories", origin)
    if repo is not None:
        return _resolved(repo.defs, origin)
    job = _unique(names, JobDefinition, "jobs and no Definitions", origin)
    graph = None if job is not None else _unique(names, GraphDefinition, "graphs and no Definitions", origin)
    if job is not None or graph is not None:
        return _resolved(Definitions(jobs=[job or graph.to_job()]), origin)
    assets = load_assets_from_modules([names])
    if assets:
        return _resolved(Definitions(assets=assets), origin)
    raise DefinitionError(
        "no Definitions object found",
        file=origin,
        fix="add `defs = dg.Definitions(assets=[...], jobs=[...])` at module level",
    )


def _resolved(defs: Definitions, origin: str) -> Definitions:
    """Definitions resolve lazily (as Dagster's do); a load resolves them so mistakes show now."""
    try:
        return defs.resolve()
    except DefinitionError as err:
        raise _with_file(err, origin) from None


def _unique(names: dict[str, Any], kind: type, what: str, origin: str) -> Any:
    """The one object of `kind` the module defines at top level, None if none; several is an error
    (dagdeck loads one per code location)."""
    found: dict[str, Any] = {}
    for k, v in names.items():
        if isinstance(v, kind) and all(v is not f for f in found.values()):
            found[k] = v
    if len(found) > 1:
        fix = (
            "list them in `defs = dg.Definitions(jobs=[...])`"
            if kind in (JobDefinition, GraphDefinition)
            else "keep one, or combine them into one with dg.Definitions.merge(...)"
        )
        raise DefinitionError(
            f"several {what} ({', '.join(sorted(found))}); dagdeck loads one per file", file=origin, fix=fix
        )
    return next(iter(found.values()), None)


_imported_by_loads: set[str] = set()
"""Modules that earlier loads imported: the user's code, dropped before the next load so it is
imported afresh. Modules the process had before (a test runner's, the console's) are never touched."""


def _forget_user_modules() -> None:
    for name in list(_imported_by_loads):
        sys.modules.pop(name, None)
    _imported_by_loads.clear()


def _user_files(wd: str, location: CodeLocation) -> list[Path]:
    files = []
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if not f or "site-packages" in f or not f.startswith(wd):
            continue
        name = getattr(mod, "__name__", "")
        if _is_own_module(name):
            continue
        files.append(Path(f))
    if location.file:
        files.append(Path(location.file))
    return sorted(set(files))
