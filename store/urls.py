"""Store URLs checked when settings are read, before any engine is built.

SQLAlchemy reports a malformed URL deep inside `create_engine` (an `ArgumentError`, or a bare
`ValueError` for a port that is not a number), which reached users as a traceback. `url_problem` names
what is wrong in words a user can act on, and `redacted` shows a URL without its password, so an error
about `DAGDECK_STORE_URL` never prints a secret.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dagdeck.store.engine import normalize_url
from dagdeck.store.errors import StoreError

DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("psycopg",)}
"""The dialects the store speaks and, for each, the drivers it ships with ("" = the default)."""
URL_FORM = "sqlite:////ABSOLUTE/PATH/dagdeck.db or postgresql://USER:PASSWORD@HOST:5432/DBNAME"
"""What a valid store URL looks like, for the fix part of an error."""


def redacted(url: str) -> str:
    """`url` with everything between `://` and the last `@` hidden (user and password)."""
    if "@" not in url:
        return url
    head, _, tail = url.rpartition("@")
    scheme, sep, _ = head.partition("://")
    return f"{scheme}{sep}***@{tail}" if sep else f"***@{tail}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a store URL, in one phrase; None when it can."""
    try:
        parsed: URL = make_url(normalize_url(url))
    except ValueError as err:  # make_url's int() of the port
        if "int()" in str(err):
            return "has a port that is not a number"
        return "is not a database URL"
    except ArgumentError:
        return "is not a database URL"
    dialect, _, driver = parsed.drivername.partition("+")
    if dialect not in DRIVERS:
        return f"names database {dialect!r}, which dagdeck does not support"
    if driver not in DRIVERS[dialect]:
        return f"names driver {driver!r}, which dagdeck does not ship for {dialect}"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"has port {parsed.port}, outside 1-65535"
    return None


def check_store_url(url: str) -> str:
    """`url` if it can be a store URL, else a one-line StoreError that hides the password."""
    problem = url_problem(url)
    if problem is not None:
        raise StoreError(f"store URL {redacted(url)!r} {problem}; write it as {URL_FORM}")
    return url
