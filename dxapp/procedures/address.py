"""The address step's postal code lookup: the panel and the prefill (never overwrites typed values)."""

from __future__ import annotations

from dxapp import postal
from dxapp.rules import normalize


def address_panel(values, _answers) -> dict:
    code = (values.get("postal_code") or "").strip()
    if not code:
        return {"state": "empty"}
    try:
        normalised = normalize.postal_code(code)
    except ValueError as exc:
        return {"state": "invalid", "message": str(exc)}
    towns = postal.lookup(normalised)
    if not towns:
        return {"state": "unknown"}
    chosen = None
    if len(towns) == 1:
        chosen = 0
    elif (values.get("town_choice") or "").isdigit() and int(values["town_choice"]) < len(towns):
        chosen = int(values["town_choice"])
    return {"state": "found", "postal": normalised, "candidates": [tuple(t) for t in towns], "chosen": chosen}


def address_prefill(form, panel: dict) -> list[str]:
    """Fill prefecture, city and town when empty; return the names of the fields filled."""
    if panel.get("state") != "found" or panel.get("chosen") is None:
        return []
    prefecture, city, town = panel["candidates"][panel["chosen"]]
    filled = []
    for field, value in ((form.prefecture, prefecture), (form.city, city), (form.street, town)):
        if not (field.data or "").strip() and value:
            field.data = value
            filled.append(field.name)
    return filled
