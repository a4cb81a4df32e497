"""The expert's message pages (issue 12 "Messages"): their own threads with SMEs, mounted from the
shared pages in dxapp/procedures/message_pages.py (role ``expert``)."""

from __future__ import annotations

from dxapp.procedures import message_pages


def register(bp) -> None:
    message_pages.mount(bp, "expert")
