"""A custom logger (`@dg.logger`) set for every job of the code location with
`Definitions(loggers=...)`: it receives what assets write to `context.log`."""

import logging

import dagdeck as dg


@dg.logger(config_schema={"path": str}, description="Writes log records to a file.")
def file_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger_ = logging.Logger("file_logger", level=logging.DEBUG)
    handler = logging.FileHandler(init_context.logger_config["path"])
    handler.setFormatter(logging.Formatter("%(levelname)s|%(message)s"))
    logger_.addHandler(handler)
    return logger_


@dg.asset
def cleaned_rows(context: dg.AssetExecutionContext) -> int:
    context.log.info("cleaning 3 rows")
    context.log.warning("1 row had no id")
    return 2


defs = dg.Definitions(assets=[cleaned_rows], loggers={"file": file_logger})
