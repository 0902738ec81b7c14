"""Several outputs of a node in a graph body: Dagster hands back a namedtuple of them, unpacked in
order or read by output name."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, load, pipeline, stored_op_output

STEPS = {
    "signed_values": "succeeded",
    "double[neg_1]": "succeeded",
    "double[neg_2]": "succeeded",
    "double[neg_3]": "succeeded",
    "sum_values": "succeeded",
    "sum_doubled_negatives": "succeeded",
    "both_bounds.bounds": "succeeded",
    "spread": "succeeded",
}


@pytest.mark.parametrize("job", ["by_name", "unpacked"])
def test_outputs_by_name_or_unpacked(tmp_path: Path, job: str) -> None:
    """Dagster 1.13.28: in a job body `outs = signed_values()` (two DynamicOuts) gives
    `outs.values` / `outs.negatives`, and `pair = both_bounds()` (a graph with two GraphOuts)
    gives `pair.first` / `pair.second`; unpacking (`values, negatives = ...`) works the same.
    Both jobs succeed with steps signed_values, double[neg_1..3], sum_values,
    sum_doubled_negatives, both_bounds.bounds and spread; sum_values is 6,
    sum_doubled_negatives -12, spread 10."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_named_outputs"), "job", "run", job, home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == STEPS
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "sum_values") == 6
    assert stored_op_output(home, run_id, "sum_doubled_negatives") == -12
    assert stored_op_output(home, run_id, "spread") == 10


def test_the_outputs_tuple_is_named_after_the_node() -> None:
    """Dagster 1.13.28: calling an op with outputs a, b in a graph body returns a tuple subclass
    `_two_outputs` with `_fields == ("a", "b")`, len 2; an unknown name raises AttributeError
    "'_two_outputs' object has no attribute 'nope'"."""
    import dagdeck as dg

    seen: dict[str, object] = {}

    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def two():
        return 1, 2

    @dg.job
    def probe():
        t = two()
        seen["type"], seen["fields"], seen["len"] = type(t).__name__, t._fields, len(t)
        with pytest.raises(AttributeError, match="'_two_outputs' object has no attribute 'nope'"):
            t.nope  # noqa: B018

    assert probe.name == "probe"
    assert seen == {"type": "_two_outputs", "fields": ("a", "b"), "len": 2}
    assert load(pipeline("graphs_named_outputs")).get_job_def("by_name").name == "by_name"
