"""The KView sandbox, as workflows use it: the one module that imports it.

The sandbox lives in `klasses/kviews/`; if it moves again, only these imports change.
"""

from klasses.kviews.limits import RenderLimit, render_budget
from klasses.kviews.readonly import read_only
from klasses.kviews.sandbox import limited_environment, limited_output

__all__ = ["RenderLimit", "environment", "limited_output", "read_only", "render_budget"]

_env = limited_environment(filters={}, functions={})
# Params are data sent to services and URLs, not HTML: nothing is escaped.
_env.autoescape = False


def environment():
    return _env
