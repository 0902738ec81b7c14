"""Asset selections: `AssetSelection` objects, the string syntax, and `define_asset_job`."""

from __future__ import annotations

import pytest

import dagdeck as dg
from dagdeck.core.defs.selection import AssetSelection, parse_selection
from dagdeck.core.instance import Instance

# raw -> clean -> report
#           \--> features -> model -> serve
# lonely (no deps)


@dg.asset(group_name="ingest")
def raw() -> int:
    return 1


@dg.asset(group_name="ingest")
def clean(raw: int) -> int:
    return raw + 1


@dg.asset(group_name="analytics")
def report(clean: int) -> int:
    return clean * 10


@dg.asset(group_name="ml")
def features(clean: int) -> int:
    return clean + 2


@dg.asset(group_name="ml")
def model(features: int) -> int:
    return features * 2


@dg.asset(group_name="ml")
def serve(model: int) -> int:
    return model


@dg.asset(group_name="misc")
def lonely() -> int:
    return 0


ASSETS = [raw, clean, report, features, model, serve, lonely]
DEFS = dg.Definitions(assets=ASSETS)


def names(selection: AssetSelection) -> set[str]:
    return {k.to_user_string() for k in selection.resolve(DEFS.asset_graph)}


def test_asset_selection_objects() -> None:
    assert names(AssetSelection.all()) == {"raw", "clean", "report", "features", "model", "serve", "lonely"}
    assert names(AssetSelection.assets("model", report)) == {"model", "report"}
    assert names(AssetSelection.groups("ml")) == {"features", "model", "serve"}
    assert names(AssetSelection.groups("ingest", "misc")) == {"raw", "clean", "lonely"}
    assert names(AssetSelection.assets("model").upstream()) == {"model", "features", "clean", "raw"}
    assert names(AssetSelection.assets("model").upstream(depth=1)) == {"model", "features"}
    assert names(AssetSelection.assets("clean").downstream()) == {"clean", "report", "features", "model", "serve"}
    assert names(AssetSelection.assets("clean").downstream(depth=1, include_self=False)) == {"report", "features"}
    assert names(AssetSelection.groups("ml") | AssetSelection.assets("raw")) == {"features", "model", "serve", "raw"}
    assert names(AssetSelection.assets("clean").downstream() & AssetSelection.groups("ml")) == {
        "features",
        "model",
        "serve",
    }
    assert names(AssetSelection.all() - AssetSelection.groups("ml") - AssetSelection.assets("lonely")) == {
        "raw",
        "clean",
        "report",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model", {"model"}),
        ("+model", {"model", "features"}),
        ("++model", {"model", "features", "clean"}),
        ("*model", {"model", "features", "clean", "raw"}),
        ("clean+", {"clean", "report", "features"}),
        ("clean++", {"clean", "report", "features", "model"}),
        ("clean*", {"clean", "report", "features", "model", "serve"}),
        ("+features+", {"clean", "features", "model"}),
        ("group:ml", {"features", "model", "serve"}),
        ("+group:analytics", {"report", "clean"}),
        ("*", {"raw", "clean", "report", "features", "model", "serve", "lonely"}),
        ("report,lonely", {"report", "lonely"}),
        ("report lonely", {"report", "lonely"}),
    ],
)
def test_string_selection_syntax(text: str, expected: set[str]) -> None:
    assert names(parse_selection(text)) == expected


@pytest.mark.parametrize("bad", ["", "   ", "+", "nope"])
def test_string_selection_errors_name_the_problem(bad: str) -> None:
    with pytest.raises(dg.DefinitionError) as info:
        names(parse_selection(bad))
    assert info.value.problem


def test_a_group_no_asset_is_in_selects_nothing() -> None:
    """Dagster 1.13.28: define_asset_job(selection="group:nope") loads as a job with no nodes."""
    assert names(parse_selection("group:nope")) == set()


def test_unknown_asset_in_selection_suggests_the_closest_key() -> None:
    with pytest.raises(dg.DefinitionError) as info:
        names(parse_selection("+modle"))
    assert "modle" in info.value.problem
    assert "'model'" in (info.value.fix or "")


def test_define_asset_job_resolves_selections_and_runs_only_them(instance: Instance) -> None:
    jobs = [
        dg.define_asset_job("ml_job", selection=AssetSelection.groups("ml")),
        dg.define_asset_job("to_model", selection="*model"),
        dg.define_asset_job("list_job", selection=["report", "lonely"]),
        dg.define_asset_job("everything"),
        dg.define_asset_job("combined", selection=AssetSelection.assets("clean").downstream() - AssetSelection.groups("ml")),
    ]
    defs = dg.Definitions(assets=ASSETS, jobs=jobs)
    keys = {name: {k.to_user_string() for k in job.keys} for name, job in defs.asset_jobs.items()}
    assert keys == {
        "ml_job": {"features", "model", "serve"},
        "to_model": {"raw", "clean", "features", "model"},
        "list_job": {"report", "lonely"},
        "everything": {"raw", "clean", "report", "features", "model", "serve", "lonely"},
        "combined": {"clean", "report"},
    }
    assert defs.job_names == sorted(keys)

    result = dg.materialize(defs, instance=instance, job_name="to_model")
    assert result.success
    view = result.view()
    assert view.run.job_name == "to_model"
    assert [s.key for s in view.steps] == ["raw", "clean", "features", "model"]
    assert {m.asset_key for m in view.materializations} == {"raw", "clean", "features", "model"}
    assert result.output_for_node("model") == 8


def test_selections_print_readably() -> None:
    sel = (AssetSelection.groups("ml") | AssetSelection.assets("raw").downstream()) - AssetSelection.assets("x").upstream(2)
    assert str(sel) == "((group:ml | raw*) - ++x)"
    assert str(parse_selection("*")) == "*"
