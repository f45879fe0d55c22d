"""The KView template engine: admin-written Jinja2 templates, sandboxed and limited.

It sits beside the schema engine because klasses validates KViews when they are written
(`syntax_error`, `url_template_error`); timeline renders them on the desk with `render`.
`engine` renders, `sandbox` is the environment, `limits` the budgets of one render, `nesting`
how deeply a template may nest, and `readonly` the read-only data a template sees.
"""

from klasses.kviews.engine import (
    CURRENCY_SYMBOLS,
    Rendered,
    deeplink,
    environment,
    iframe_html,
    render,
    render_url,
    syntax_error,
    url_template_error,
)

__all__ = [
    "CURRENCY_SYMBOLS",
    "Rendered",
    "deeplink",
    "environment",
    "iframe_html",
    "render",
    "render_url",
    "syntax_error",
    "url_template_error",
]
