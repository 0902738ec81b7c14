"""A custom logger (`@dg.logger`) set for the code location's jobs with `Definitions(loggers=...)`,
and for one job with `@dg.job(logger_defs=...)`: it receives what steps write to `context.log`."""

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


@dg.op
def announce(context: dg.OpExecutionContext) -> None:
    context.log.error("disk almost full")


@dg.job(logger_defs={"job_file": file_logger})
def announce_job():
    announce()


defs = dg.Definitions(assets=[cleaned_rows], jobs=[announce_job], loggers={"file": file_logger})
