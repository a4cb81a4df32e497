"""The SME's message pages (issue 12 "Messages"): the organisation's threads with the experts, mounted
from the shared pages in dxapp/procedures/message_pages.py (role ``sme``)."""

from __future__ import annotations

from dxapp.procedures import message_pages


def register(bp) -> None:
    message_pages.mount(bp, "sme")
