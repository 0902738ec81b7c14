"""An op that may not produce its outputs, and ops that only wait for them (`In(Nothing)`): they
are skipped when the output they wait for is not yielded, as Dagster skips them."""

import dagdeck as dg


@dg.op(out={"rows": dg.Out(is_required=False), "loaded": dg.Out(dg.Nothing, is_required=False)})
def load_if_changed():
    changed = False  # nothing new upstream today
    if changed:
        yield dg.Output([1, 2], "rows")
        yield dg.Output(None, "loaded")


@dg.op(ins={"start": dg.In(dg.Nothing)})
def notify():
    return "sent"


@dg.op
def always():
    return "ran"


@dg.job
def refresh():
    rows, loaded = load_if_changed()
    notify(start=loaded)
    notify.alias("notify_rows")(start=rows)
    always()


defs = dg.Definitions(jobs=[refresh])
