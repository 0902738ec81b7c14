"""The definitions room: everything users write (`@asset`, `@op`, `@graph`/`@job`, selections,
schedules, sensors, checks, metadata, config, IO managers, `Definitions`) and the loader that turns
a code location into `Definitions`. The bottom of the engine: it never touches the store."""
