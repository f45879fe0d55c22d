import json

from django import template

register = template.Library()


@register.filter
def as_json(value):
    """Indented JSON for the run log (autoescaped by the template like any text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
