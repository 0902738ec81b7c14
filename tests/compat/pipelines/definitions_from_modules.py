"""`load_definitions_from_modules([...])`: everything two modules define at top level (assets,
checks, jobs, schedules, sensors) becomes the Definitions, without listing anything."""

from definitions_parts import pings, signups

import dagdeck as dg

defs = dg.load_definitions_from_modules([signups, pings])
