"""`workflow.call`: run another workflow of the org now, as a child run one level deeper."""

from kdesk.payload import as_id
from workflows.actions import Action, StepFailed, need, register


def workflow_call(ctx, params):
    from workflows import runner
    from workflows.models import Workflow

    need(params, "workflow")
    pk = as_id(params["workflow"])
    target = (
        Workflow.objects.select_related("actor").filter(org=ctx.org, pk=pk).first() if pk else None
    )
    if target is None:
        raise StepFailed(f"No workflow with id {params['workflow']!r:.40}.")
    if target.trigger_type == Workflow.Trigger.RULE:
        raise StepFailed(
            f"“{target.name}” is a business rule: it runs inside writes, not by a call."
        )
    data = params.get("data") or {}
    return runner.call(ctx, target, data)


register(
    Action(
        "workflow.call",
        "Run another workflow",
        workflow_call,
        required=("workflow",),
        optional=("data",),
        help="The called workflow sees `data` as its trigger's data; its steps' outputs are "
        "this step's output.",
    )
)


def _set(ctx, params):
    if ctx.dry_run:  # testing a business rule: what it would set on the conversation
        return {"wouldSet": params}
    raise StepFailed("set only runs inside a write, as a business rule.")


register(
    Action(
        "set",
        "Set fields on the conversation being saved (business rules)",
        _set,
        optional=(
            "status",
            "priority",
            "assignedUser",
            "assignedTeam",
            "tags",
            "custom",
            "message",
        ),
        help="Tags are added to the conversation's own; custom attributes are merged. A rule on "
        "messages sets these on the message's conversation, and message: {custom: {…}} on the "
        "message itself.",
    )
)
