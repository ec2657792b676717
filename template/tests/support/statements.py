"""Count the SQL statements an engine sends, by kind (SELECT, INSERT, UPDATE, ...)."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

# The execution option that marks the outbox's own statements.
OUTBOX_WORK = "outbox_work"


@contextmanager
def counted_statements(engine: Engine) -> Iterator[Counter[str]]:
    """Inside the block, count every statement ``engine`` sends by its first keyword.

    An ``executemany`` (one statement, many parameter sets) counts once. The
    outbox's statements (marked ``OUTBOX_WORK``) are not counted: they are the
    same for every write, and ``docs/benchmarks`` measures them.
    """
    seen: Counter[str] = Counter()

    def count(*arguments: Any) -> None:
        statement: str = arguments[2]
        if not arguments[4].execution_options.get(OUTBOX_WORK):
            seen[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
