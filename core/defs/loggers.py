"""Custom loggers (`@logger`, `LoggerDefinition`): Python loggers built per run that also receive
what steps write to `context.log`, as Dagster's do.

A definitions file names them in `Definitions(loggers={...})` or `@job(logger_defs={...})`; the run
config's `loggers:` section configures them (`loggers: {name: {config: {...}}}`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.config_types import NO_DEFAULT, ConfigValueError, Field, schema_field
from dagdeck.core.errors import DefinitionError, RunConfigError, where_defined

LOG_LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
}


@dataclass
class InitLoggerContext:
    """What a logger function receives: its config from the run config, and the run."""

    logger_config: Any
    logger_def: LoggerDefinition | None = None
    run_id: str | None = None
    job_name: str | None = None


@dataclass(eq=False)
class LoggerDefinition:
    """A function `init_context -> logging.Logger`, called once per run that uses it."""

    logger_fn: Callable[[InitLoggerContext], logging.Logger]
    config_schema: Any = None
    description: str | None = None
    defined_at: tuple[str | None, int | None] = field(default=(None, None))

    def __post_init__(self) -> None:
        if not callable(self.logger_fn):
            raise DefinitionError(
                f"logger function {self.logger_fn!r} is not callable",
                fix="pass a function taking init_context and returning a logging.Logger",
            )
        if self.defined_at == (None, None):
            self.defined_at = where_defined(self.logger_fn)
        self._config_field: Field | None = schema_field(self.config_schema)

    @property
    def name(self) -> str:
        return getattr(self.logger_fn, "__name__", "logger")

    def build(
        self, config: Any, run_id: str | None = None, job_name: str | None = None, key: str | None = None
    ) -> logging.Logger:
        """Call the logger function with its config, checked against `config_schema` (defaults
        filled in); a config that does not fit is a RunConfigError naming the run config path."""
        if self._config_field is not None:
            path = f"loggers.{key or self.name}.config"
            try:
                config = self._config_field.process(NO_DEFAULT if config is None else config, path)
            except ConfigValueError as err:
                raise RunConfigError(
                    f"run config for logger {key or self.name!r} is invalid: {err}"
                ) from None
        made = self.logger_fn(InitLoggerContext(config, self, run_id, job_name))
        if not isinstance(made, logging.Logger):
            file, line = self.defined_at
            raise DefinitionError(
                f"returned {type(made).__name__}, not a logging.Logger",
                file=file,
                line=line,
                obj=f"logger {self.name}",
                fix="return a logging.Logger (e.g. logging.Logger(name, level=...)) with your handlers",
            )
        return made

    def __repr__(self) -> str:
        return f"<logger {self.name}>"


def logger(
    config_schema: Any = None, description: str | None = None
) -> LoggerDefinition | Callable[[Callable[[InitLoggerContext], logging.Logger]], LoggerDefinition]:
    """`@logger` or `@logger(config_schema=..., description=...)`, as in Dagster."""
    if callable(config_schema) and not isinstance(config_schema, type | Mapping):
        return LoggerDefinition(config_schema)

    def build(fn: Callable[[InitLoggerContext], logging.Logger]) -> LoggerDefinition:
        return LoggerDefinition(fn, config_schema, description or (fn.__doc__ or "").strip() or None)

    return build


def coerce_logger_defs(loggers: Mapping[str, Any] | None, owner: str) -> dict[str, LoggerDefinition]:
    """`loggers=` / `logger_defs=` checked at load time: a name -> LoggerDefinition mapping."""
    out: dict[str, LoggerDefinition] = {}
    for name, value in (loggers or {}).items():
        if not isinstance(value, LoggerDefinition):
            raise DefinitionError(
                f"logger {name!r} is {type(value).__name__}, not a logger definition",
                obj=owner,
                fix="decorate the function that returns a logging.Logger with @dg.logger",
            )
        out[str(name)] = value
    return out


def build_run_loggers(
    logger_defs: Mapping[str, LoggerDefinition],
    run_config: Mapping[str, Any] | None,
    run_id: str,
    job_name: str,
) -> list[logging.Logger]:
    """The loggers the run config names (`loggers: {name: {config: ...}}`), each built with its
    config. As in Dagster, a logger the run config does not name is not used by the run."""
    section = dict((run_config or {}).get("loggers") or {})
    built = []
    for name, ldef in logger_defs.items():
        if name not in section:
            continue
        conf = section.get(name) or {}
        built.append(
            ldef.build(conf.get("config") if isinstance(conf, Mapping) else None, run_id, job_name, name)
        )
    return built


def send_to_loggers(
    loggers: list[logging.Logger], level: str, message: str, job_name: str, run_id: str, step_key: str
) -> None:
    """One `context.log` record to each custom logger, formatted as Dagster formats user messages.
    A logger that raises never fails the step."""
    text = f"{job_name} - {run_id} - {step_key} - {message}"
    for lg in loggers:
        with contextlib.suppress(Exception):  # a broken user logger must not fail the step
            lg.log(LOG_LEVELS.get(level, logging.INFO), text, extra={"dagster_meta": {"step_key": step_key}})


def build_init_logger_context(logger_config: Any = None, job_def: Any = None) -> InitLoggerContext:
    """For testing a logger function directly, as in Dagster."""
    return InitLoggerContext(logger_config, None, None, getattr(job_def, "name", None))


def tee_to_loggers(
    emit: Callable[[dict[str, Any]], None], loggers: list[logging.Logger], job_name: str
) -> Callable[[dict[str, Any]], None]:
    """`emit` that also hands each LOG event (what `context.log` writes) to the custom loggers.
    Only runs that have custom loggers pay for it."""

    def emit_and_log(event: dict[str, Any]) -> None:
        emit(event)
        if event.get("event_type") == "LOG":
            send_to_loggers(
                loggers,
                str(event.get("level") or "INFO"),
                str(event.get("message") or ""),
                job_name,
                str(event.get("run_id") or ""),
                str(event.get("step_key") or ""),
            )

    return emit_and_log


class JsonLogFormatter(logging.Formatter):
    """One JSON object per record: the record's attributes (values JSON cannot hold become strings)."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(dict(record.__dict__), default=str)


class _LevelColorFormatter(logging.Formatter):
    """`time - name - LEVEL - message`, the level coloured when the stream is a terminal."""

    COLORS: Mapping[int, str] = {
        logging.DEBUG: "34",
        logging.INFO: "32",
        logging.WARNING: "33",
        logging.ERROR: "31",
    }

    def __init__(self, color: bool) -> None:
        super().__init__("%(asctime)s - %(name)s - %(levelname)s - %(message)s")
        self.color = color

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        code = self.COLORS.get(record.levelno) if self.color else None
        return text.replace(record.levelname, f"\033[{code}m{record.levelname}\033[0m", 1) if code else text


def _console_logger(init_context: InitLoggerContext, json_lines: bool) -> logging.Logger:
    config = init_context.logger_config or {}
    level = str(config.get("log_level", "INFO")).upper()
    made = logging.Logger(str(config.get("name", "dagster")), level=LOG_LEVELS.get(level, logging.INFO))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter() if json_lines else _LevelColorFormatter(sys.stderr.isatty()))
    made.addHandler(handler)
    return made


_CONSOLE_CONFIG = {
    "log_level": Field(str, default_value="INFO", is_required=False),
    "name": Field(str, default_value="dagster", is_required=False),
}


def _colored_console(init_context: InitLoggerContext) -> logging.Logger:
    return _console_logger(init_context, json_lines=False)


def _json_console(init_context: InitLoggerContext) -> logging.Logger:
    return _console_logger(init_context, json_lines=True)


colored_console_logger = LoggerDefinition(
    _colored_console, _CONSOLE_CONFIG, "The default colored console logger."
)
json_console_logger = LoggerDefinition(_json_console, _CONSOLE_CONFIG, "A JSON-formatted console logger.")


def default_loggers() -> dict[str, LoggerDefinition]:
    return {"console": colored_console_logger}


def default_system_loggers(instance: Any = None) -> list[tuple[LoggerDefinition, dict[str, Any]]]:
    return [(colored_console_logger, {"name": "dagster", "log_level": "DEBUG"})]
