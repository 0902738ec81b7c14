"""Two modules of definitions that definitions_from_modules.py collects."""
