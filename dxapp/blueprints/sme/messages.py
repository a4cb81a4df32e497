"""The SME's message pages (issue 12 "Messages"): the organisation's threads with the experts, mounted
from the shared pages in dxapp/blueprints/messages.py (role ``sme``)."""

from __future__ import annotations

from dxapp.blueprints import messages


def register(bp) -> None:
    messages.mount(bp, "sme")
