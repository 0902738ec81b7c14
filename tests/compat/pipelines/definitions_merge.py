"""Two teams' definitions modules combined with `Definitions.merge`, as Dagster's docs show for a
code location built from several modules. The analytics assets read the ingest assets, so the
analytics Definitions is incomplete alone."""

from definitions_teams import analytics, ingest

import dagdeck as dg

defs = dg.Definitions.merge(ingest.defs, analytics.defs)
