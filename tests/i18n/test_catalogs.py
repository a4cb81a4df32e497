"""The Japanese catalog covers every UI string in the source tree, keeps every placeholder, and is the
one the app serves by default; English (the msgids) is one language-switch POST away.

The extraction here is the same as `make extract` (babel.cfg, keywords incl. ``_l``), run in-process on the
current source tree, so a new ``_("...")`` in a template or view fails this test until it is translated."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import dxapp
from tests.fixtures.pages import text_of

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = Path(dxapp.__file__).resolve().parent / "translations"
LOCALES = ("ja", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # pybabel extract -k _l

# Python %-format placeholders: %(name)s, %s, %d, %.2f ...  ("%%" is a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load_po(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def compile_catalog(locale: str) -> None:
    """Write messages.mo next to messages.po (atomically: other test processes may be reading it)."""
    po, mo = po_path(locale), po_path(locale).with_suffix(".mo")
    catalog = load_po(locale)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the .mo is an ordinary readable build product
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.utime(mo, (po.stat().st_mtime, po.stat().st_mtime))


@pytest.fixture(scope="session")
def compiled_catalogs():
    """Compile the .mo files when they are missing or older than the .po, so plain `pytest` works
    without `make translations`."""
    compiled = []
    for locale in LOCALES:
        po, mo = po_path(locale), po_path(locale).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalog(locale)
            compiled.append(locale)
    if compiled:
        # Flask-Babel caches loaded catalogs on the process-wide Babel instance (a cached property, made
        # on first use); forget any (empty) catalog an earlier test loaded before the .mo existed.
        from dxapp.extensions import babel

        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    return compiled


def _only_dxapp(dirpath: str) -> bool:
    rel = Path(dirpath).relative_to(ROOT)
    return rel.parts[0] == "dxapp" and not any(p.startswith((".", "_")) for p in rel.parts)


def extract_source_messages() -> Catalog:
    """Same as `pybabel extract -F babel.cfg -k _l .` from the project root, as a Catalog."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename="babel.cfg")
    catalog = Catalog(locale=None)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_only_dxapp,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def source_messages() -> Catalog:
    return extract_source_messages()


def _where(message) -> str:
    return ", ".join(f"{f}:{n}" for f, n in message.locations[:3])


def _key(message):
    return (message.id, message.context)


def test_extraction_finds_the_ui_strings(source_messages):
    ids = {m.id for m in source_messages if m.id}
    # A template string, a lazy form label (_l) and a view message (gettext): all three extractors ran.
    assert {"There is a problem with your answers", "E-mail address",
            "Your answers have been saved. You can continue later from this page."} <= ids
    assert len(ids) > 100


def test_every_source_msgid_has_a_japanese_translation(source_messages):
    ja = load_po("ja")
    missing = []
    for message in source_messages:
        if not message.id:
            continue
        entry = ja.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        texts = strings if isinstance(strings, tuple | list) else (strings,)
        if entry is None:
            problem = "not in ja/messages.po (run `make extract`)"
        elif entry.fuzzy:
            problem = "fuzzy"
        elif not all(t and t.strip() for t in texts):
            problem = "empty msgstr"
        else:
            continue
        missing.append(f"{message.id!r} [{problem}] ({_where(message)})")
    assert not missing, f"{len(missing)} msgid(s) without a Japanese translation:\n" + "\n".join(missing)


def test_ja_catalog_has_no_fuzzy_or_stale_entries(source_messages):
    ja = load_po("ja")
    fuzzy = [m.id for m in ja if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries in ja/messages.po: {fuzzy}"
    in_source = {_key(m) for m in source_messages if m.id}
    stale = [m.id for m in ja if m.id and _key(m) not in in_source]
    assert not stale, f"msgids in ja/messages.po no longer in the source (run `make extract`): {stale}"


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text or "") if p != "%%")


def test_placeholders_are_kept_in_japanese():
    ja = load_po("ja")
    problems = []
    for message in ja:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = _placeholders(ids[-1])
        if not wanted and not message.python_format:
            continue
        for text in strings:
            if text and _placeholders(text) != wanted:
                problems.append(f"{ids[0]!r}: msgid has {wanted}, msgstr {text!r} has {_placeholders(text)}")
        # Babel's own check (format characters, positional vs named).
        problems.extend(f"{ids[0]!r}: {error}" for error in message.check(ja))
    assert not problems, "\n".join(problems)


def test_python_format_flag_marks_every_placeholder_msgid(source_messages):
    """The extractor flags %(name)s msgids python-format; the .po must agree with the source (msgids
    missing from the .po are reported by the test above)."""
    ja = load_po("ja")
    unflagged = []
    for message in source_messages:
        if message.id and message.python_format:
            entry = ja.get(message.id, context=message.context)
            if entry is not None and not entry.python_format:
                unflagged.append(message.id)
    assert not unflagged, f"python-format flag missing in ja/messages.po: {unflagged}"


def test_error_prefix_is_exact():
    ja = load_po("ja")
    assert ja.get("Error: ").string == "エラー: "  # tests/fixtures/pages.py relies on this exact prefix


def test_home_page_is_japanese_by_default_and_english_after_the_switch(compiled_catalogs, client):
    page = client.get("/")
    assert page.status_code == 200, f"GET / answered {page.status_code}"
    html = page.get_data(as_text=True)
    assert '<html lang="ja">' in html
    text = text_of(page)
    assert "ログイン" in text and "新規登録" in text and "中小企業デジタル化応援隊事業" in text
    assert "Log in" not in text

    switched = client.submit("/language", {"lang": "en", "next": "/"}, page="/")
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/")

    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.get_data(as_text=True)
    text = text_of(page)
    assert "Log in" in text and "Sign up" in text and "SME Digitalization Support Corps" in text
    assert "ログイン" not in text

    back = client.submit("/language", {"lang": "ja", "next": "/"}, page="/")
    assert back.status_code == 303
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


def test_error_title_prefix_in_japanese(compiled_catalogs, client):
    """An invalid form: the title starts with 「エラー: 」 and the summary heading is translated
    (PageClient also checks the prefix against the error summary)."""
    page = client.submit("/account/login", {"email": "", "password": ""})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "<title>エラー: " in html
    assert "入力内容に問題があります" in html and "メールアドレスを入力してください" in html


def test_status_labels_in_japanese_are_the_programs_own_names():
    """The page labels of application statuses (dxapp.labels) translate to exactly the official names
    of the one status list (dxapp.rules.application)."""
    from dxapp.labels import STATUS_LABELS
    from dxapp.rules.application import STATUS_LABELS as OFFICIAL

    catalog = load_po("ja")
    assert set(STATUS_LABELS) == set(OFFICIAL)
    for status, label in STATUS_LABELS.items():
        assert catalog.get(label._args[0]).string == OFFICIAL[status], status
