"""`config_schema=` on `@op` / `@asset` / `@multi_asset`: read once at definition time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dagdeck.core.defs.config_types import ConfigSchemaError, Field, schema_field
from dagdeck.core.defs.params import FunctionParams
from dagdeck.core.errors import DefinitionError, where_defined


def read_config_schema(
    config_schema: Any, fn: Callable[..., Any], params: FunctionParams, obj: str
) -> Field | None:
    """The step's config as one `Field` (None without a schema); a schema Dagster refuses, or one
    given beside a pydantic `config` parameter, is a DefinitionError naming the function."""
    if config_schema is None:
        return None
    file, line = where_defined(fn)
    if params.config_type is not None:
        raise DefinitionError(
            "a `config` parameter and config_schema= cannot both be given",
            file=file,
            line=line,
            obj=obj,
            fix="keep the pydantic Config parameter, or drop it and read context.op_config",
        )
    try:
        return schema_field(config_schema)
    except ConfigSchemaError as err:
        raise DefinitionError(
            f"config_schema: {err.problem}", file=file, line=line, obj=obj, fix=err.fix
        ) from None
