"""Params are templates: exactly one expression keeps its type; anything else is text."""

import pytest

from workflows.templating import TemplateProblem, render_params, syntax_problem

CONTEXT = {
    "data": {"total": 12.5, "paid": True, "order": {"id": "A1", "lines": [1, 2]}, "name": "Ada"},
    "steps": {"customer": {"id": "7"}},
}


def test_one_expression_keeps_its_type():
    out = render_params(
        {
            "total": "{{ data.total }}",
            "paid": " {{ data.paid }} ",
            "order": "{{ data.order }}",
            "count": "{{ data.order.lines | length }}",
            "missing": "{{ data.nothing }}",
            "text": "Order {{ data.order.id }} for {{ data.name }}",
            "id": "{{ steps.customer.id }}",
            "nested": {"list": ["{{ data.total * 2 }}", 3, None]},
            "plain": "no template",
        },
        CONTEXT,
    )
    assert out == {
        "total": 12.5,
        "paid": True,
        "order": {"id": "A1", "lines": [1, 2]},
        "count": 2,
        "missing": None,
        "text": "Order A1 for Ada",
        "id": "7",
        "nested": {"list": [25.0, 3, None]},
        "plain": "no template",
    }


def test_text_is_not_html_escaped():
    assert render_params({"a": "{{ data.name }} <&> 'x'"}, CONTEXT) == {"a": "Ada <&> 'x'"}


def test_templates_cannot_change_the_context():
    with pytest.raises(TemplateProblem):
        render_params({"a": "{{ data.order.lines.append(3) }}"}, CONTEXT)
    assert CONTEXT["data"]["order"]["lines"] == [1, 2]


def test_limits_hold():
    with pytest.raises(TemplateProblem) as exc:
        render_params({"big": "{{ 'x' * 10**8 }}"}, CONTEXT)
    assert "/big" in str(exc.value)
    with pytest.raises(TemplateProblem):
        render_params({"escape": "{{ data.__class__.__subclasses__() }}"}, CONTEXT)


def test_syntax_problems_are_found():
    assert syntax_problem("{{ data.x ") is not None
    assert syntax_problem("{% if %}") is not None
    assert syntax_problem("{{ data.x }}") is None
    assert syntax_problem("plain") is None
