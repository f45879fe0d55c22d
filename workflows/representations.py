"""Workflows and runs as API.md resources."""

from kdesk.representations import iso


def workflow_resource(workflow):
    return {
        "type": "workflow",
        "id": str(workflow.pk),
        "attributes": {
            "name": workflow.name,
            "description": workflow.description,
            "enabled": workflow.enabled,
            "trigger": workflow.trigger,
            "conditions": workflow.conditions or {},
            "steps": workflow.steps or [],
            "atomic": workflow.atomic,
            "position": workflow.position,
            "nextRunAt": iso(workflow.next_run_at),
            "rev": workflow.rev,
            "createdAt": iso(workflow.created_at),
            "updatedAt": iso(workflow.updated_at),
        },
        # the machine user its writes are by (events' actor)
        "relationships": (
            {"actor": {"data": {"type": "user", "id": str(workflow.actor_id)}}}
            if workflow.actor_id
            else {}
        ),
        "links": {"self": f"/v1/workflows/{workflow.pk}"},
    }


def run_resource(run):
    relationships = {"workflow": {"data": {"type": "workflow", "id": str(run.workflow_id)}}}
    if run.parent_id:
        relationships["parent"] = {"data": {"type": "workflow_run", "id": str(run.parent_id)}}
    if run.rerun_of_id:
        relationships["rerunOf"] = {"data": {"type": "workflow_run", "id": str(run.rerun_of_id)}}
    return {
        "type": "workflow_run",
        "id": str(run.pk),
        "attributes": {
            "status": run.status,
            "trigger": run.trigger_type,
            "triggerKey": run.trigger_key,
            "eventId": str(run.event_id) if run.event_id else None,
            "depth": run.depth,
            "payload": run.payload,
            "steps": run.steps,
            "error": run.error or None,
            "failedStep": run.failed_step or None,
            "durationMs": run.duration_ms,
            "createdAt": iso(run.created_at),
            "startedAt": iso(run.started_at),
            "finishedAt": iso(run.finished_at),
        },
        "relationships": relationships,
        "links": {"self": f"/v1/workflows/{run.workflow_id}/runs/{run.pk}"},
    }
