"""Two teams' definitions modules, merged by definitions_merge.py."""
