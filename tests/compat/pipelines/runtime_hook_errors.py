"""A hook that raises: the error is recorded, the op and the run still succeed."""

import dagdeck as dg


@dg.success_hook
def broken_notifier(context: dg.HookContext):
    raise RuntimeError("notifier is down")


@dg.success_hook
def audit(context: dg.HookContext):
    context.log.info(f"audited {context.step_key}")


@dg.op
def compute() -> int:
    return 1


@dg.job(hooks={broken_notifier, audit})
def fragile_job():
    compute()


defs = dg.Definitions(jobs=[fragile_job])
