"""The dagdeck console (Textual). Talks to the engine only through `dagdeck.core.console_api`."""
