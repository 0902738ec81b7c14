"""A file with assets and no Definitions at all, as the first pages of Dagster's tutorial write it
(`dagster dev -f assets.py` loads every asset of the file)."""

import dagdeck as dg


@dg.asset
def hackernews_ids() -> list[int]:
    return [3, 1, 2]


@dg.asset
def top_ids(hackernews_ids: list[int]) -> list[int]:
    return sorted(hackernews_ids)[:2]
