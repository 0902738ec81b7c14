"""How step functions' parameters are read at load.

Plain functions are read from their code object (`inspect.signature` costs ~4 us an asset at
load); the answer must be exactly what `inspect.signature` gives, for every shape of signature.

No `from __future__ import annotations` here: it would turn every annotation into a string and
send each function below through the `inspect` path instead of the code-object one.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from dagdeck.core.cached import cached_property
from dagdeck.core.defs.params import _parameters, read_params


def _by_inspect(fn: Callable[..., Any]) -> list[tuple[str, Any, bool]]:
    return [
        (p.name, p.annotation, p.default is not p.empty)
        for p in inspect.signature(fn, eval_str=True).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def no_params() -> None: ...


def mixed(a, b: int, c=1, *args, d, e: str = "x", **kw) -> int:  # noqa: ANN001, ANN002, ANN003
    return 0


def positional_only(a, /, b=2, *, c):  # noqa: ANN001, ANN201
    local = a
    return local


def string_annotations(context, x: "int", y: "list[str]" = ()) -> "str":  # noqa: ANN001, UP037
    return ""


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


def with_signature(a, b):  # noqa: ANN001, ANN201
    return a


with_signature.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("only", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
)


class CallableObject:
    def __call__(self, upstream: int, *, flag: bool = False) -> None: ...


@pytest.mark.parametrize(
    "fn",
    [
        no_params,
        mixed,
        positional_only,
        string_annotations,
        _wrap(mixed),
        with_signature,
        functools.partial(mixed, 1),
        CallableObject(),
        lambda x, y=3: x,
    ],
    ids=lambda f: getattr(f, "__name__", type(f).__name__),
)
def test_parameters_match_inspect(fn: Callable[..., Any]) -> None:
    assert _parameters(fn) == _by_inspect(fn)


def test_context_and_config_are_not_upstream_values() -> None:
    def step(context, config, upstream, optional=None):  # noqa: ANN001, ANN202
        return upstream

    params = read_params(step)
    assert params.uses_context
    assert [(p.name, p.has_default) for p in params.others] == [("upstream", False), ("optional", True)]


def test_cached_property_computes_once_per_instance() -> None:
    calls: list[int] = []

    class Holder:
        def __init__(self, n: int) -> None:
            self.n = n

        @cached_property
        def doubled(self) -> int:
            calls.append(self.n)
            return self.n * 2

    one, two = Holder(1), Holder(2)
    assert (one.doubled, one.doubled, two.doubled) == (2, 2, 4)
    assert calls == [1, 2]
    assert isinstance(Holder.doubled, cached_property)
