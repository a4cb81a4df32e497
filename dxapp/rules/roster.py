"""The roster of experts a supporter corporation uploads as CSV (pure: no Flask, no database).

``decode`` finds the encoding (UTF-8 with or without BOM, or the CP932 Japanese Excel writes; UTF-16
with BOM too, Excel's 「Unicode テキスト」), ``parse`` reads the rows with the csv module (commas, or tabs
when the first line has tabs and no comma; a header row is recognised and skipped), and ``check``
validates each cell and gives one error code per cell.  Which e-mail addresses are already affiliated
with (or invited by) the corporation is passed in (``known``: normalised e-mail -> "affiliated"), so
the caller asks the database once for the whole file.  Whether an address has an account elsewhere is
never an error (it must not be revealed).

Error codes (the page turns them into messages):
  name:      missing, too_long
  name_kana: missing, too_long, not_kana
  email:     missing, too_long, invalid, duplicate, affiliated

The template's example row (``EXAMPLE_EMAIL``) is not an error but is skipped: ``notice`` "example".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from dxapp.rules import normalize

FIELDS = ("name", "name_kana", "email")
#: The header row of the template (Japanese Excel users open it and type below it).
HEADER = ("氏名", "フリガナ", "メールアドレス")
_HEADER_WORDS = {
    "name": {"氏名", "名前", "name", "氏名（漢字）"},
    "name_kana": {"フリガナ", "ふりがな", "氏名（フリガナ）", "name_kana", "furigana", "kana"},
    "email": {"メールアドレス", "メール", "e-mail", "email", "mail", "eメール", "emailアドレス"},
}
MAX_LENGTH = {"name": 100, "name_kana": 100, "email": 254}
MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
#: The address of the template's example row: a row with it is skipped, never invited.
EXAMPLE_EMAIL = "taro.yamada@example.jp"
#: What ``known`` may say about an address that is an error on the row.
KNOWN_ERRORS = ("affiliated",)

# What an e-mail address must look like: one @, a dot in the domain, no spaces, ASCII only.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class RosterFileError(ValueError):
    """The file as a whole cannot be read; ``code`` says why."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Row:
    line: int  # line number in the file (1 = first line), to tell the user where to look
    values: dict
    errors: dict = field(default_factory=dict)
    normalised: dict = field(default_factory=dict)
    notice: str | None = None  # "example": the template's example row, skipped

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {"line": self.line, "values": self.values, "errors": self.errors, "normalised": self.normalised,
                "notice": self.notice}


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name).  A BOM means UTF-8; valid UTF-8 is UTF-8; otherwise CP932."""
    if not data.strip():
        raise RosterFileError("empty")
    if len(data) > MAX_BYTES:
        raise RosterFileError("too_large")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's 「Unicode テキスト」 (UTF-16, tab-separated)
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise RosterFileError("encoding") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise RosterFileError("encoding") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise RosterFileError("encoding") from exc


def _cell(value: str) -> str:
    return (value or "").replace("\u3000", " ").strip()


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions when ``cells`` is a header row, else None."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        word = unicodedata.normalize("NFKC", cell).strip().lower().replace(" ", "")
        for name, words in _HEADER_WORDS.items():
            if name not in found and word in {w.lower() for w in words}:
                found[name] = index
    return found if len(found) >= 2 else None


def parse(text: str) -> list[Row]:
    """Rows of the file (blank lines skipped), values as typed (trimmed)."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    columns = {name: i for i, name in enumerate(FIELDS)}
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            if not any(_cell(c) for c in cells):
                continue
            if first:
                first = False
                header = _header_columns(cells)
                if header is not None:
                    columns = {name: header.get(name, default) for default, name in enumerate(FIELDS)}
                    continue
            values = {name: _cell(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
            rows.append(Row(line=line, values=values))
            if len(rows) > MAX_ROWS:
                raise RosterFileError("too_many_rows", limit=MAX_ROWS)
    except csv.Error as exc:
        raise RosterFileError("csv", line=reader.line_num) from exc
    if not rows:
        raise RosterFileError("no_rows")
    return rows


def normalise_email(value: str) -> str:
    """Full-width characters become ASCII (＠ -> @), spaces go, lower case (as accounts do)."""
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").lower()


def emails(rows: list[Row]) -> set[str]:
    return {e for e in (normalise_email(r.values.get("email", "")) for r in rows) if e}


def _check_one(row: Row) -> None:
    values = row.values
    for name in FIELDS:
        if not values.get(name):
            row.errors[name] = "missing"
        elif len(values[name]) > MAX_LENGTH[name]:
            row.errors[name] = "too_long"
    if "name" not in row.errors:
        row.normalised["name"] = values["name"]
    if "name_kana" not in row.errors:
        try:
            row.normalised["name_kana"] = normalize.furigana(values["name_kana"])
        except ValueError:
            row.errors["name_kana"] = "not_kana"
    if "email" not in row.errors:
        email = normalise_email(values["email"])
        if not _EMAIL.match(email) or ".." in email:
            row.errors["email"] = "invalid"
        else:
            row.normalised["email"] = email


def check(rows: list[Row], known: Mapping[str, str] | None = None) -> list[Row]:
    """Validate every cell; the first of two rows with the same address keeps it, later ones get
    ``duplicate`` (with the line of the first in ``duplicate_of``).  The template's example row gets
    ``notice`` "example" and no error."""
    known = known or {}
    first_line: dict[str, int] = {}
    for row in rows:
        row.errors, row.normalised, row.notice = {}, {}, None
        _check_one(row)
        email = row.normalised.get("email")
        if email is None:
            continue
        if email == EXAMPLE_EMAIL:
            row.errors, row.notice = {}, "example"
            continue
        if email in first_line:
            row.errors["email"] = "duplicate"
            row.normalised["duplicate_of"] = first_line[email]
            del row.normalised["email"]
            continue
        first_line[email] = row.line
        if known.get(email) in KNOWN_ERRORS:
            row.errors["email"] = known[email]
    return rows


def error_count(rows: list[Row]) -> int:
    return sum(1 for r in rows if r.errors)


def skipped_count(rows: list) -> int:
    """Rows skipped with a notice (the example row), Row objects or their JSON."""
    return sum(1 for r in rows if (r.get("notice") if isinstance(r, dict) else r.notice))


def errors_first(rows: list[dict]) -> list[dict]:
    """Rows with errors first (in file order), then the good ones (stable)."""
    return sorted(rows, key=lambda r: (not r.get("errors"), r.get("line", 0)))


def template_csv() -> bytes:
    """The template to download: the header and one example row (``EXAMPLE_EMAIL``: skipped on upload,
    never invited), UTF-8 with BOM (Excel opens it)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerow(("山田 太郎", "ヤマダ タロウ", EXAMPLE_EMAIL))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
