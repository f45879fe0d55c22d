"""What a step may do. Each action names the params it needs; `run(ctx, params)` does it
through the owning app's services and returns the step's output (what later steps read as
`steps.<id>`). A refusal raises StepFailed with a message fit for the run log."""

from dataclasses import dataclass, field

from kdesk.errors import ServiceError


class StepFailed(Exception):
    """The step could not do what it was asked; the message says why."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # what people read in the builder
    run: object  # fn(ctx, params) -> output
    required: tuple = ()  # params that must be present (after rendering, and not empty)
    optional: tuple = ()
    # Param names the builder offers; "*" means any (a record body).
    open_params: bool = False
    writes: bool = True  # False: safe to run in a dry run as is
    # True: `run` reads, then makes at most one call to a service that is its own transaction,
    # so the runner need not open one around the step (two round trips fewer per step, and no
    # savepoint under the service's own); a refused write still leaves nothing behind.
    own_transaction: bool = False
    help: str = ""
    examples: dict = field(default_factory=dict)


_registry: dict[str, Action] = {}


def register(action):
    _registry[action.name] = action
    return action


def get(name):
    _load()
    # a body may send any JSON as the action's name, and a list or object is no key
    return _registry.get(name) if isinstance(name, str) else None


def all_actions():
    _load()
    return tuple(_registry.values())


def _load():
    if _registry:
        return
    from workflows.actions import calls, conversations, http, records  # noqa: F401


def service_error(exc: ServiceError):
    """One readable line from a service's refusal, naming every field at fault."""
    if exc.errors:
        parts = [
            f"{e.pointer.lstrip('/') or 'body'}: {e.detail}" if e.pointer else e.detail
            for e in exc.errors
        ]
        return "; ".join(parts)
    return exc.detail


def need(params, *names):
    missing = [n for n in names if params.get(n) in (None, "", [], {})]
    if missing:
        raise StepFailed(f"Missing {', '.join(missing)} (the rendered params had no value).")


def record_id(params, name):
    """The id in `params[name]` (an integer or a string of digits), or StepFailed."""
    from kdesk.payload import as_id

    need(params, name)
    pk = as_id(params[name])
    if pk is None:
        raise StepFailed(f"{name} must be an id; the rendered value was {params[name]!r:.80}.")
    return pk


def body(params, *, drop=()):
    return {k: v for k, v in params.items() if k not in drop}
