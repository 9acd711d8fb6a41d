"""Set-wise reads and writes at the speed each backend allows: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, any_, bindparam, func, select, text
from sqlalchemy.types import TypeEngine


def insert_rows(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, ids: bool = False
) -> list[int]:
    """Insert rows (all with the same keys); returns their new ids, in order, if ``ids``.

    On SQLite the ids follow the largest one stored, in one multi-row statement.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows sent with
    COPY: SQLAlchemy's multi-row ``INSERT ... RETURNING`` spends more time in the driver,
    parsing statements with thousands of placeholders, than the database spends storing the
    rows. Drawing from the sequence keeps concurrent writers safe.
    """
    if not rows:
        return []
    if connection.dialect.name != "postgresql":  # SQLite
        if not ids:
            _executemany(connection, table, rows)
            return []
        # SQLite cannot promise the order of a multi-row RETURNING, so SQLAlchemy would send
        # one statement per row; the ids are given instead. The ledger has one writer at a time,
        # and a second one would fail on the primary key rather than write twice.
        first = int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        given = list(range(first, first + len(rows)))
        _executemany(
            connection, table, [{**row, "id": new_id} for row, new_id in zip(rows, given, strict=True)]
        )
        return given
    new_ids: list[int] = []
    if ids:
        new_ids = [
            int(row[0])
            for row in connection.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table.name, "count": len(rows)},
            )
        ]
        rows = [{**row, "id": new_id} for row, new_id in zip(rows, new_ids, strict=True)]
    _copy(connection, table, rows)
    return new_ids


def _executemany(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """The driver's ``executemany`` with each value converted as SQLAlchemy would store it.

    SQLAlchemy's own executemany spends more time preparing each row's parameters than SQLite
    spends storing the row; the conversions (dates and times to text, on SQLite) are the same
    ones, looked up once per batch instead of once per value.
    """
    columns = list(rows[0])
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    values: list[Any] = list(map(itemgetter(*columns), rows))
    if len(columns) == 1:  # itemgetter of one name gives the value, not a 1-tuple
        values = [(value,) for value in values]
    converted = [(index, to) for index, to in enumerate(convert) if to is not None]
    if converted:
        for position, value in enumerate(values):
            row = list(value)
            for index, to in converted:
                row[index] = to(row[index])
            values[position] = tuple(row)
    connection.exec_driver_sql(statement, values)


def _copy(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[column] for column in columns])


def one_of(connection: Connection, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(array)``, one parameter however many values.

    (An IN list of thousands of values is thousands of placeholders for the driver to parse.)
    """
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        item_type: TypeEngine[Any] = column.type
        return column == any_(bindparam(None, list(values), type_=ARRAY(item_type)))
    return column.in_(list(values))
