"""`workflow.call`: run another workflow of the org now, as a child run one level deeper."""

from kdesk.payload import as_id
from workflows.actions import Action, StepFailed, need, register


def workflow_call(ctx, params):
    from workflows import runner
    from workflows.models import Workflow

    need(params, "workflow")
    pk = as_id(params["workflow"])
    target = Workflow.objects.filter(org=ctx.org, pk=pk).first() if pk else None
    if target is None:
        raise StepFailed(f"No workflow with id {params['workflow']!r:.40}.")
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
