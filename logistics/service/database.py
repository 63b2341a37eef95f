"""The job store's database connection: SQLite (a file, the embedded default) or PostgreSQL (a URL, for several
API servers and worker processes on other machines). Both are reached through one small interface: statements
written with `?` placeholders, rows read by column name, transactions that serialise writers (SQLite's
`BEGIN IMMEDIATE`; PostgreSQL's transactions plus an advisory lock where a claim must be exclusive)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Database", "connect", "is_url"]


class Result:
    """A statement's rows (read in full under the connection's lock, so another thread's transaction never
    interleaves with the reading) and the number of rows it changed."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows, self.rowcount = rows, rowcount

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        return self.rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


def is_url(target: str | Path) -> bool:
    """Whether a store target is a PostgreSQL URL (else a SQLite file)."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class Database:
    """One connection, one lock: safe from several threads of one process. `execute` outside a transaction
    autocommits; `tx()` is a transaction that no other writer interleaves with."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.lock = threading.RLock()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Result:
        raise NotImplementedError

    def script(self, sql: str) -> None:
        """Run several statements (the schema)."""
        raise NotImplementedError

    def columns(self, table: str) -> set[str]:
        """The columns a table has now (to add those a store from an older version lacks)."""
        raise NotImplementedError

    @contextmanager
    def tx(self, exclusive: bool = False) -> Iterator[Database]:
        """A transaction; `exclusive`: no other server's exclusive transaction runs at the same time (a claim)."""
        with self.lock:
            self._begin(exclusive)
            try:
                yield self
            except BaseException:
                self.execute("ROLLBACK")
                raise
            self.execute("COMMIT")

    def _begin(self, exclusive: bool) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _Sqlite(Database):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        import sqlite3

        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a job acknowledged is on disk

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Result:
        with self.lock:
            cursor = self._db.execute(sql, tuple(args))
            return Result(cursor.fetchall() if cursor.description is not None else [], cursor.rowcount)

    def script(self, sql: str) -> None:
        with self.lock:
            self._db.executescript(sql)

    def columns(self, table: str) -> set[str]:
        with self.lock:
            return {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}

    def _begin(self, exclusive: bool) -> None:
        self._db.execute("BEGIN IMMEDIATE")  # every write transaction is exclusive in SQLite

    def close(self) -> None:
        with self.lock:
            self._db.close()


CLAIM_LOCK = 0x10615  # the advisory lock key under which PostgreSQL claims run one at a time


class _Postgres(Database):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._db = self._connect()

    def _connect(self) -> Any:
        import psycopg
        from psycopg.rows import dict_row

        return psycopg.connect(self._url, autocommit=True, row_factory=dict_row, connect_timeout=10)

    def _live(self) -> Any:
        """The connection, opened again if the server dropped it (outside a transaction only)."""
        if self._db.closed or self._db.broken:
            self._db = self._connect()
        return self._db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Result:
        with self.lock:
            cursor = self._live().execute(sql.replace("?", "%s"), tuple(args))
            return Result(cursor.fetchall() if cursor.description is not None else [], cursor.rowcount)

    def script(self, sql: str) -> None:
        with self.lock:
            self._live().execute(sql.replace(" REAL", " DOUBLE PRECISION").replace(" BLOB", " BYTEA"))

    def columns(self, table: str) -> set[str]:
        rows = self.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", (table,))
        return {r["column_name"] for r in rows.fetchall()}

    def _begin(self, exclusive: bool) -> None:
        self._live().execute("BEGIN")
        if exclusive:
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (CLAIM_LOCK,))

    def close(self) -> None:
        with self.lock:
            self._db.close()


def connect(target: str | Path) -> Database:
    """The database of a store target: a PostgreSQL URL, or a SQLite file's path."""
    if is_url(target):
        return _Postgres(str(target))
    return _Sqlite(Path(target))
