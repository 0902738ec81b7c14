"""dagdeck benchmarks: `python -m bench engine` and `python -m bench runs`.

Only the standard library and psutil are used (time.perf_counter, resource, subprocess). Every
command prints its figures next to the target with PASS/MISS and exits 0: the numbers are for humans.
"""
