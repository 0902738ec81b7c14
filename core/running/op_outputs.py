"""What an op yielded, for ops whose outputs are not simply "one value per output": dynamic
outputs (one value per mapping key, stored as `output[key]`) and optional outputs (may be missing;
a required output left out fails the step, as in Dagster).

`split_yielded` maps the yielded values onto outputs; `record_yielded` writes the manifest the
scheduler and input loading read (core/running/dynamic_steps.py).
"""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.dynamic import DynamicOutput, element_output
from dagdeck.core.defs.results import DagsterInvariantViolationError, DagsterStepOutputNotFoundError, Output
from dagdeck.core.running.dynamic_steps import Manifest, write_manifest
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.running.step_call import Yielded

Split = dict[str, tuple[Any, dict[str, Any], bool]]


def split_yielded(step: Step, result: Any) -> Split:
    """Map what the op returned or yielded onto its outputs; dynamic elements as `output[key]`."""
    op = step.op_name or step.key
    items = _items(step, result)
    out: Split = {}
    seen: dict[str, set[str]] = {}
    for item in items:
        name = item.output_name
        if name not in step.outputs:
            if name in step.unselected_outputs:
                raise unselected_output_error(step, name)
            raise ValueError(
                f"op {op!r} yielded unknown output {name!r}; outputs are {', '.join(step.outputs)}"
            )
        if name in step.dynamic_outputs:
            if not isinstance(item, DynamicOutput):
                raise DagsterInvariantViolationError(
                    f'Compute for op "{op}" yielded an Output for dynamic output "{name}"; '
                    "yield DynamicOutput(value, mapping_key=...) instead"
                )
            keys = seen.setdefault(name, set())
            if item.mapping_key in keys:
                raise DagsterInvariantViolationError(
                    f'Compute for op "{op}" yielded a DynamicOutput with mapping_key "{item.mapping_key}" multiple times.'
                )
            keys.add(item.mapping_key)
            out[element_output(name, item.mapping_key)] = (item.value, dict(item.metadata), True)
            continue
        if isinstance(item, DynamicOutput):
            raise DagsterInvariantViolationError(
                f'op "{op}" yielded a DynamicOutput for output "{name}", which is not a DynamicOut'
            )
        if name in out:
            raise ValueError(f'Compute for op "{op}" returned an output "{name}" multiple times')
        out[name] = (item.value, dict(item.metadata), True)
    required = [n for n in step.outputs if n not in step.optional_outputs and n not in step.dynamic_outputs]
    for name in required:
        if name not in out:
            raise DagsterStepOutputNotFoundError(
                f'Core compute for op "{op}" did not return an output for non-optional output "{name}"'
            )
    return out


def _items(step: Step, result: Any) -> list[Output | DynamicOutput]:
    """The result as Output/DynamicOutput items: yielded ones as they are, a returned value (or
    tuple of values) as the outputs in declaration order."""
    if isinstance(result, Output | DynamicOutput):
        return [result]
    if isinstance(result, Yielded):
        for item in result:
            if not isinstance(item, Output | DynamicOutput):
                raise DagsterInvariantViolationError(
                    f'Compute function for op "{step.op_name or step.key}" yielded a value of type {type(item)} '
                    "rather than an instance of Output, AssetMaterialization, or ExpectationResult. Values yielded "
                    "by ops must be wrapped in one of these types."
                )
        return list(result)
    if isinstance(result, list) and result and all(isinstance(r, DynamicOutput) for r in result):
        return list(result)  # Dagster also takes a returned list of DynamicOutputs
    if isinstance(result, tuple) and all(isinstance(r, Output | DynamicOutput) for r in result):
        return list(result)
    names = list(step.outputs)
    if step.single_output or (len(names) == 1 and not step.unselected_outputs):
        if names[0] in step.dynamic_outputs:
            raise DagsterInvariantViolationError(
                f'Compute function for op "{step.op_name or step.key}" returned a value of type '
                f"{type(result).__name__} for dynamic output {names[0]!r}; yield DynamicOutput(value, mapping_key=...)"
            )
        return [Output(result, names[0])]
    if not isinstance(result, tuple) or len(result) != len(names):
        check_tuple_selection(step, result)
        raise ValueError(f"op has outputs {', '.join(names)}: return a tuple of {len(names)} values")
    items: list[Output | DynamicOutput] = []
    for name, value in zip(names, result, strict=True):
        if isinstance(value, Output | DynamicOutput):
            items.append(
                value if value.output_name == name else Output(value.value, name, dict(value.metadata))
            )
        else:
            items.append(Output(value, name))
    return items


def unselected_output_error(step: Step, name: str) -> DagsterInvariantViolationError:
    """An op of a subset graph-backed asset produced an output this run did not select."""
    selected = "{" + ", ".join(repr(n) for n in sorted(step.outputs)) + "}"
    return DagsterInvariantViolationError(
        f'Core compute for op "{step.key}" returned an output "{name}" that is not selected. '
        f"The selected outputs are {selected}"
    )


def check_tuple_selection(step: Step, result: Any) -> None:
    """A tuple of all the op's declared outputs, returned in a run that selected only some of
    them: Dagster's error names the first one not selected."""
    if (
        step.unselected_outputs
        and isinstance(result, tuple)
        and len(result) == len(step.outputs) + len(step.unselected_outputs)
    ):
        raise unselected_output_error(step, step.unselected_outputs[0])


def record_yielded(step: Step, env: RunEnv, outputs: Split) -> None:
    """Write which outputs the step yielded and the mapping keys of its dynamic ones."""
    yielded: set[str] = set()
    mapping_keys: dict[str, list[str]] = {name: [] for name in step.dynamic_outputs}
    for name in outputs:
        base, sep, rest = name.partition("[")
        yielded.add(base)
        if sep and base in mapping_keys:
            mapping_keys[base].append(rest[:-1])
    write_manifest(env.storage_dir, env.run_id, step.key, Manifest(frozenset(yielded), mapping_keys))
