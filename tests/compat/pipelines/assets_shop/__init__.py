"""A package of asset modules, loaded by assets_load_modules.py."""
