"""The stored on/off switch of each schedule and sensor."""

from __future__ import annotations

from dagdeck.core.statuses import InstigatorStatus
from dagdeck.store import InstigatorState, Store


def instigator_state(
    store: Store, name: str, kind: str, default: str, states: dict[str, InstigatorState], now: float
) -> InstigatorState:
    """The switch of `name`, added to `states`. The first sight of a default-on instigator is
    persisted so its start time is known ("no ticks from before"); default-off ones stay unwritten
    until switched on."""
    state = states.get(name)
    if state is None:
        if default == InstigatorStatus.RUNNING:
            state = store.upsert_instigator(name, kind, status=InstigatorStatus.RUNNING, now=now)
        else:
            state = InstigatorState(name=name, kind=kind, status=InstigatorStatus.STOPPED, updated_at=now)
        states[name] = state
    return state
