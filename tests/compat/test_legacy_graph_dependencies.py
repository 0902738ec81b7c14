"""Graphs built the old way: GraphDefinition(node_defs=, dependencies=) with DependencyDefinition,
MultiDependencyDefinition and NodeInvocation keys, then to_job()."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, load, pipeline, run_record, stored_op_output


def test_dependency_dict_job_runs_like_a_decorated_one(tmp_path: Path) -> None:
    """Dagster 1.13.28: one_plus_one (add_one's `number` from return_one) succeeds with steps
    return_one and add_one; add_one's output is 2."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_graph_dependencies"), "job", "run", "one_plus_one", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"return_one": "succeeded", "add_one": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "add_one") == 2


def test_fan_in_aliases_and_unwired_node_defs(tmp_path: Path) -> None:
    """Dagster 1.13.28: fan_in_job succeeds with steps return_one, standalone (a node def no key
    names, added under its own name), add_one, add_two (NodeInvocation alias), sum_all and
    tagged_report — no `report` node, as report is only invoked under its alias. Outputs: add_two 3,
    sum_all 6 (the MultiDependencyDefinition list [1, 2, 3]), tagged_report 'total=6'."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_graph_dependencies"), "job", "run", "fan_in_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == dict.fromkeys(
        ["return_one", "standalone", "add_one", "add_two", "sum_all", "tagged_report"], "succeeded"
    )
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "add_two") == 3
    assert stored_op_output(home, run_id, "sum_all") == 6
    assert stored_op_output(home, run_id, "tagged_report") == "total=6"
    assert stored_op_output(home, run_id, "standalone") == "no inputs"


def test_node_invocation_tags_merge_with_the_ops(tmp_path: Path) -> None:
    """Dagster 1.13.28: the node tagged_report has tags {'team': 'core', 'priority': 'high'} (the
    op's tags plus the NodeInvocation's); `context.op.tags` in its step logs
    "tags: [('priority', 'high'), ('team', 'core')]"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_graph_dependencies"), "job", "run", "fan_in_job", home=home)
    assert run.returncode == 0, run.stderr
    record = run_record(home, run.doc["run_id"])
    messages = [e.message for e in record.events if e.event_type == "LOG" and e.step_key == "tagged_report"]
    assert "tags: [('priority', 'high'), ('team', 'core')]" in messages, messages


def test_dependency_on_a_missing_node_is_one_line(tmp_path: Path) -> None:
    """Dagster 1.13.28: constructing the GraphDefinition raises DagsterInvalidDefinitionError
    'Invalid dependencies: node "return_two" not found in node list. Listed as dependency for node
    "add_one" input "number"'; dagdeck refuses to load with that message on one line."""
    line = cli_usage_error(pipeline("legacy_graph_dependencies_bad"), "check", home=tmp_path / "home")
    assert 'node "return_two" not found in node list' in line
    assert 'node "add_one" input "number"' in line and "legacy_graph_dependencies_bad.py:17" in line


def test_job_definition_constructor_from_a_graph(tmp_path: Path) -> None:
    """Dagster 1.13.28: JobDefinition(graph_def=g, name="one_plus_one_job", tags={...}) is a job of
    that name with tags {'source': 'constructor'}; without name= the job takes the graph's name
    (one_plus_one_graph, no tags). Both succeed with return_one and add_one (output 2)."""
    home = tmp_path / "home"
    defs = load(pipeline("legacy_job_definition"))
    assert defs.op_jobs["one_plus_one_job"].tags == {"source": "constructor"}
    assert defs.op_jobs["one_plus_one_graph"].tags == {}
    for job_name in ("one_plus_one_job", "one_plus_one_graph"):
        run = cli_run(pipeline("legacy_job_definition"), "job", "run", job_name, home=home)
        assert run.returncode == 0, run.stderr
        assert run.steps == {"return_one": "succeeded", "add_one": "succeeded"}
        assert stored_op_output(home, run.doc["run_id"], "add_one") == 2
