"""Graph and job names follow Dagster's name rule (`^[A-Za-z0-9_]+$`, as `dagster.job(name=...)`
raises DagsterInvalidDefinitionError for `daily/report`): they become parts of step keys and
storage paths, so a bad one is a load error naming the file, the object and the fix."""

from __future__ import annotations

import pytest

import dagdeck as dg
from dagdeck.core.errors import DefinitionError


@dg.op
def one() -> int:
    return 1


@pytest.mark.parametrize("name", ["daily/report", "x y", "..", "a\n"])
def test_a_job_name_outside_the_rule_is_a_load_error(name: str) -> None:
    with pytest.raises(DefinitionError) as err:

        @dg.job(name=name)
        def nightly() -> None:
            one()

    assert f"job {name!r}" in str(err.value) and "letters, digits and _" in str(err.value)
    assert err.value.file is not None and err.value.file.endswith("test_names.py")


def test_a_graph_name_outside_the_rule_is_a_load_error() -> None:
    with pytest.raises(DefinitionError, match="graph name 'two parts/x' is not a valid name"):

        @dg.graph(name="two parts/x")
        def inner() -> None:
            one()


def test_names_within_the_rule_load() -> None:
    @dg.graph(name="Inner_2")
    def inner() -> None:
        one()

    @dg.job(name="nightly_2026")
    def nightly() -> None:
        inner()

    assert nightly.name == "nightly_2026"
