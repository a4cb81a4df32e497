"""Every status has a label, from one source (dxapp/labels.py): for each table with a ``status`` column,
``labels.BY_TABLE`` names its labels and their keys are exactly the values of its CHECK (which the
models build from the rules' tuple), so a status cannot be added in one place and forgotten in another."""

import re

from sqlalchemy import CheckConstraint

import dxapp.models  # noqa: F401  (registers every table)
from dxapp import labels
from dxapp.extensions import db

CHECK = re.compile(r"^\s*status\s+IN\s*\((?P<values>[^)]*)\)\s*$", re.IGNORECASE)


def check_values(table) -> list[str] | None:
    """The values the table's status CHECK allows, None without one."""
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = CHECK.match(str(constraint.sqltext))
            if match:
                return re.findall(r"'([^']*)'", match["values"])
    return None


def label_problems(metadata, by_table) -> list[str]:
    problems = []
    for name, table in sorted(metadata.tables.items()):
        if "status" not in table.columns:
            continue
        values = check_values(table)
        if values is None:
            problems.append(f"{name}: no CHECK lists its statuses")
        elif name not in by_table:
            problems.append(f"{name}: no labels in dxapp.labels.BY_TABLE")
        elif sorted(by_table[name]) != sorted(values):
            problems.append(f"{name}: labels {sorted(by_table[name])} != CHECK {sorted(values)}")
        elif len(values) != len(set(values)):
            problems.append(f"{name}: a status twice in the CHECK")
    problems += [f"{name}: labels for a table without a status column" for name in by_table
                 if name not in metadata.tables or "status" not in metadata.tables[name].columns]
    return problems


def test_every_status_has_a_label_from_one_source():
    assert len(labels.BY_TABLE) >= 5
    assert label_problems(db.metadata, labels.BY_TABLE) == []


def test_every_status_label_is_translated_text():
    for name, mapping in labels.BY_TABLE.items():
        for status, label in mapping.items():
            assert str(label).strip(), (name, status)


def test_a_missing_or_extra_label_is_found():
    from sqlalchemy import Column, MetaData, String, Table

    metadata = MetaData()
    Table("thing", metadata, Column("status", String), CheckConstraint("status IN ('a', 'b')"))
    Table("other", metadata, Column("status", String))
    assert label_problems(metadata, {"thing": {"a": "A"}, "gone": {}}) == [
        "other: no CHECK lists its statuses",
        "thing: labels ['a'] != CHECK ['a', 'b']",
        "gone: labels for a table without a status column",
    ]
