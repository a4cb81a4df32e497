"""Every ``*_yen`` column is an Integer (whole yen, MONEY.md section 1) with a named CHECK that it is
not negative (``> 0``, positive, is stricter and counts too)."""

import re

from sqlalchemy import CheckConstraint, Integer

import dxapp.models  # noqa: F401  (registers every table)
from dxapp.extensions import db


def yen_problems(metadata) -> list[str]:
    problems = []
    for table in metadata.tables.values():
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
        for column in table.columns:
            if not column.name.endswith("_yen"):
                continue
            where = f"{table.name}.{column.name}"
            if not isinstance(column.type, Integer):
                problems.append(f"{where}: {column.type} is not an Integer")
            pattern = re.compile(rf"^\s*{re.escape(column.name)}\s*>=?\s*0\s*$")
            named = [c for c in checks if c.name and pattern.match(str(c.sqltext))]
            if not named:
                problems.append(f"{where}: no named CHECK ({column.name} >= 0)")
    return problems


def test_every_yen_column_is_a_non_negative_integer():
    assert any(c.name.endswith("_yen") for t in db.metadata.tables.values() for c in t.columns)
    assert yen_problems(db.metadata) == []


def test_the_check_can_fail():
    from sqlalchemy import Column, MetaData, Numeric, Table

    metadata = MetaData()
    Table("bad", metadata, Column("fee_yen", Numeric(10, 2)), Column("cost_yen", Integer),
          CheckConstraint("cost_yen >= 0"))  # unnamed
    assert yen_problems(metadata) == ["bad.fee_yen: NUMERIC(10, 2) is not an Integer",
                                      "bad.fee_yen: no named CHECK (fee_yen >= 0)",
                                      "bad.cost_yen: no named CHECK (cost_yen >= 0)"]
