"""The dagdeck console (Textual). Talks to the engine only through `core.console_api`."""
