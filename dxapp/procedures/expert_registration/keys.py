"""Who an expert registration draft belongs to, and the wizard's name: what the presets need to read the
saved draft, kept apart from the wizard so forms -> presets never come back to the wizard."""

from __future__ import annotations

NAME = "expert_registration"


def owner_key(user) -> str:
    """An expert's draft belongs to the person."""
    return f"user:{user.id}"
