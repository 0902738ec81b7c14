"""`python -m dagdeck ...`: the same as the `dagdeck` command."""

from dagdeck.cli import main

main()
