"""The KView sandbox, as workflows use it: the one module that imports it.

The sandbox is moving from `timeline/` to `klasses/kviews/`; only these imports change then.
"""

from timeline.kview_limits import RenderLimit, render_budget
from timeline.kview_readonly import read_only
from timeline.kview_sandbox import limited_environment, limited_output

__all__ = ["RenderLimit", "environment", "limited_output", "read_only", "render_budget"]

_env = limited_environment(filters={}, functions={})
# Params are data sent to services and URLs, not HTML: nothing is escaped.
_env.autoescape = False


def environment():
    return _env
