"""The base form of dxapp: a FlaskForm that, on GET, shows values kept from a POST that could not be
processed (expired session or CSRF token), so nothing typed is lost."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from dxapp import kept


class BaseForm(FlaskForm):
    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs and request.method == "GET":
            values = kept.take()
            if values is not None:
                kwargs["formdata"] = values
        super().__init__(*args, **kwargs)


def choices(mapping: dict) -> list[SelectChoice]:
    """Radio/select choices from {value: label} (labels may be lazy translations)."""
    return [SelectChoice(value=value, label=label) for value, label in mapping.items()]
