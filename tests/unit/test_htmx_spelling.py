"""Every htmx attribute is spelled ``data-hx-*`` and no attribute name holds a colon (htmx-config
``metaCharacter: "-"``), so every page is valid HTML for the Nu checker with no allow-list
(ARCHITECTURE.md, "HTMX, without depending on it"; issue 11 item 22)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dxapp

TEMPLATES = Path(dxapp.__file__).resolve().parent / "templates"
SOURCES = Path(dxapp.__file__).resolve().parent
# An attribute name in markup or in a Python/Jinja dict of attributes: hx-... not preceded by data-.
BARE = re.compile(r"""(?<![\w-])hx-[a-z][a-z-]*(?=[=:\s"'>])""")
QUOTED = re.compile(r"""(?<=["'])hx-[a-z][a-z-]*(?=["':])""")
COLON_ATTR = re.compile(r"""\s(data-)?hx-[a-z-]+:[a-z]+=""")


def _files():
    yield from TEMPLATES.rglob("*.html")
    yield from (p for p in SOURCES.rglob("*.py"))


def test_no_bare_hx_attribute_anywhere():
    found = []
    for path in _files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # In Python only attribute names in string literals count (prose in docstrings may name them).
            matches = QUOTED.finditer(line) if path.suffix == ".py" else BARE.finditer(line)
            for m in matches:
                if line[max(0, m.start() - 5):m.start()] == "data-":
                    continue
                found.append(f"{path.relative_to(SOURCES)}:{n}: {m.group(0)}")
    assert not found, "spell htmx attributes data-hx-*:\n" + "\n".join(found)


def test_no_attribute_name_holds_a_colon():
    found = [f"{p.relative_to(SOURCES)}:{n}" for p in TEMPLATES.rglob("*.html")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if COLON_ATTR.search(line)]
    assert not found, found


def test_htmx_config_sets_the_meta_character_and_adds_no_inline_style(client):
    page = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r"""<meta name="htmx-config" content='([^']*)'>""", page).group(1))
    assert config["metaCharacter"] == "-"
    assert config["includeIndicatorCSS"] is False  # htmx would add a stylesheet the CSP refuses
    body = re.search(r"<body[^>]*>", page).group(0)
    assert 'data-hx-indicator-inherited="#sending"' in body and 'data-hx-disable-inherited="findAll button"' in body
    assert re.search(r'<div id="sending" class="sending" role="status"><p class="htmx-indicator">', page)
