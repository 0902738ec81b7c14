"""`BackfillPolicy`: how a backfill groups an asset's partitions into runs.

`single_run()` puts every partition of a backfill in one run (a partition range); `multi_run(n)`
launches one run per `n` consecutive partitions. Assets without a policy get one run per partition,
as in Dagster. The backfill daemon (`core/automation/backfills.py`) reads `max_partitions_per_run`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dagdeck.core.errors import DefinitionError


class BackfillPolicyType(enum.Enum):
    SINGLE_RUN = "SINGLE_RUN"
    MULTI_RUN = "MULTI_RUN"


@dataclass(frozen=True)
class BackfillPolicy:
    """`max_partitions_per_run=None` means every partition in one run (`single_run`)."""

    max_partitions_per_run: int | None = 1

    @staticmethod
    def single_run() -> BackfillPolicy:
        return BackfillPolicy(max_partitions_per_run=None)

    @staticmethod
    def multi_run(max_partitions_per_run: int = 1) -> BackfillPolicy:
        return BackfillPolicy(max_partitions_per_run=max_partitions_per_run)

    def __post_init__(self) -> None:
        size = self.max_partitions_per_run
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            raise DefinitionError(
                f"BackfillPolicy max_partitions_per_run must be an int, got {size!r}",
                obj="BackfillPolicy",
                fix="BackfillPolicy.multi_run(max_partitions_per_run=N) with N an int, or single_run()",
            )

    @property
    def policy_type(self) -> BackfillPolicyType:
        """SINGLE_RUN for None (and, as in Dagster, for 0)."""
        return BackfillPolicyType.MULTI_RUN if self.max_partitions_per_run else BackfillPolicyType.SINGLE_RUN

    def __repr__(self) -> str:
        return f"BackfillPolicy(max_partitions_per_run={self.max_partitions_per_run})"

    def __str__(self) -> str:
        if self.policy_type == BackfillPolicyType.SINGLE_RUN:
            return "BackfillPolicy.single_run()"
        return f"BackfillPolicy.multi_run(max_partitions_per_run={self.max_partitions_per_run})"


def combined_partitions_per_run(policies: list[BackfillPolicy | None]) -> int | None:
    """Partitions per run for a backfill over assets with these policies: the smallest multi-run
    size any of them asks for; None (one run for all) only when every asset says single_run; 1 when
    an asset has no policy (Dagster's default of one run per partition)."""
    sizes: list[int] = []
    for policy in policies:
        if policy is None:
            sizes.append(1)
        elif policy.max_partitions_per_run:
            sizes.append(max(1, policy.max_partitions_per_run))
    return min(sizes) if sizes else None
