"""`http.request`: one call through the SSRF-guarded client; its JSON answer is the output."""

import http.client
import json

from apps_directory import outbound
from workflows.actions import Action, StepFailed, need, register

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TEXT_EXCERPT = 2000


def _request(params):
    need(params, "url")
    method = str(params.get("method") or "POST").upper()
    if method not in METHODS:
        raise StepFailed(f"method must be one of {', '.join(METHODS)}, not {method!r:.40}.")
    url = params["url"]
    if not isinstance(url, str):
        raise StepFailed("url must be text.")
    headers = params.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in headers.items()
    ):
        raise StepFailed("headers must be an object of names to text values.")
    headers = {k: str(v) for k, v in headers.items()}
    payload = params.get("body")
    if payload is None or method == "GET":
        raw = b""
    elif isinstance(payload, str):
        raw = payload.encode()
    else:
        raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
        headers.setdefault("Content-Type", "application/json")
    return method, url, headers, raw


def _answer(response):
    text = response.body.decode("utf-8", "replace")
    out = {"status": response.status, "contentType": response.headers.get("Content-Type", "")}
    try:
        out["json"] = json.loads(text) if text.strip() else None
    except ValueError:
        out["json"] = None
    out["text"] = text[:TEXT_EXCERPT]
    return out


def http_request(ctx, params):
    method, url, headers, raw = _request(params)
    try:
        if ctx.dry_run:
            outbound.check_url(url)  # a dry run still says when the address would be refused
            return {
                "dryRun": True,
                "wouldSend": {
                    "method": method,
                    "url": url,
                    "headers": headers,
                    "body": raw.decode("utf-8", "replace"),
                },
            }
        response = outbound.request(method, url, body=raw, headers=headers)
    except outbound.Refused as exc:
        raise StepFailed(f"Refused: {exc}") from None
    except (OSError, http.client.HTTPException, TimeoutError) as exc:
        raise StepFailed(f"Could not reach {url[:200]}: {exc}"[:500]) from None
    out = _answer(response)
    if params.get("failOnError", True) and not 200 <= response.status < 300:
        raise StepFailed(
            f"{method} {url[:200]} answered HTTP {response.status}: {out['text'][:300]}"
        )
    return out


register(
    Action(
        "http.request",
        "Call a URL (its JSON answer is available to later steps)",
        http_request,
        required=("url",),
        optional=("method", "headers", "body", "failOnError"),
        writes=False,
        help="Private addresses are refused. A non-2xx answer fails the step unless "
        "failOnError is false.",
    )
)
