"""A hook applied to a whole job by decorating it: `@my_hook` above `@job`."""

import dagdeck as dg


@dg.success_hook
def log_done(context: dg.HookContext):
    context.log.info(f"done: {context.op.name}")


@dg.op
def one() -> int:
    return 1


@dg.op
def two(x: int) -> int:
    return x + 1


@log_done
@dg.job
def decorated_job():
    two(one())


defs = dg.Definitions(jobs=[decorated_job])
