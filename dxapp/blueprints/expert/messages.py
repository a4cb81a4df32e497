"""The expert's message pages (issue 12 "Messages"): their own threads with SMEs, mounted from the
shared pages in dxapp/blueprints/messages.py (role ``expert``)."""

from __future__ import annotations

from dxapp.blueprints import messages


def register(bp) -> None:
    messages.mount(bp, "expert")
