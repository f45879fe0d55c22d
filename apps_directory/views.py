"""Settings pages for webhooks (/settings/webhooks/) and hooks (/settings/hooks/), admins only."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps_directory.forms import HookEditForm, HookForm, ReplayForm, WebhookForm
from apps_directory.hooks import selectors as hook_selectors
from apps_directory.hooks import services as hook_services
from apps_directory.webhooks import selectors, services
from kdesk.errors import ServiceError, ValidationFailed
from kdesk.views import admin_required
from klasses import selectors as klass_selectors

TOKEN_KEY = "webhook_token_once"


def _webhook(request, pk):
    webhook = selectors.webhook(org=request.user.org, pk=pk)
    if webhook is None:
        raise Http404
    return webhook


def _context(request, **extra):
    return {
        "max_webhooks": settings.WEBHOOK_MAX_PER_ORG,
        "retention_days": settings.WEBHOOK_RETENTION_DAYS,
        **extra,
    }


def _klasses(org):
    return [(k.name, k.display_name) for k in klass_selectors.klasses(org=org)]


@admin_required
def webhook_list(request):
    org = request.user.org
    form = WebhookForm(request.POST or None, initial={"enabled": True}, klasses=_klasses(org))
    if request.method == "POST" and form.is_valid():
        try:
            webhook, token = services.webhook_create(
                org=org, actor=request.user, data=form.service_data()
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        else:
            # Shown once, on the page the redirect leads to, then forgotten.
            request.session[TOKEN_KEY] = {"id": webhook.pk, "token": token}
            messages.success(request, f"Webhook “{webhook.name}” created.")
            return redirect("settings-webhook", pk=webhook.pk)
    webhooks = list(selectors.webhooks(org=org))
    return render(
        request,
        "apps_directory/webhooks.html",
        _context(request, form=form, webhooks=webhooks),
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _deliveries(org, webhook):
    rows = list(selectors.deliveries(org=org, webhook=webhook)[:50])
    attempts = selectors.last_attempts(rows)
    for row in rows:
        row.last = attempts.get(row.pk)
        if row.last is not None:
            row.headers_text = "\n".join(f"{k}: {v}" for k, v in row.last.request_headers.items())
        row.body_text = _pretty(row.body)
    return rows


def _pretty(text):
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return text or ""


@admin_required
def webhook_detail(request, pk):
    org = request.user.org
    webhook = _webhook(request, pk)
    token = None
    once = request.session.pop(TOKEN_KEY, None)
    if once and once.get("id") == webhook.pk:
        token = once["token"]
    form = WebhookForm(
        request.POST or None,
        initial=WebhookForm.initial_for(webhook),
        klasses=_klasses(org),
        webhook=webhook,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(
                org=org, actor=request.user, webhook=webhook, data=form.service_data()
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("settings-webhook", pk=webhook.pk)
    return render(
        request,
        "apps_directory/webhook.html",
        _context(
            request,
            webhook=webhook,
            form=form,
            token=token,
            deliveries=_deliveries(org, webhook),
            replay_form=ReplayForm(),
        ),
        status=400 if request.method == "POST" and form.errors else 200,
    )


@admin_required
@require_POST
def webhook_toggle(request, pk):
    webhook = _webhook(request, pk)
    enabled = not webhook.enabled
    services.webhook_set_enabled(
        org=request.user.org, actor=request.user, webhook=webhook, enabled=enabled
    )
    messages.success(request, "Webhook turned on." if enabled else "Webhook turned off.")
    return redirect("settings-webhook", pk=webhook.pk)


@admin_required
@require_POST
def webhook_rotate(request, pk):
    webhook, token = services.webhook_rotate(
        org=request.user.org, actor=request.user, webhook=_webhook(request, pk)
    )
    request.session[TOKEN_KEY] = {"id": webhook.pk, "token": token}
    messages.success(request, "New token made; the old one keeps signing for 24 hours.")
    return redirect("settings-webhook", pk=webhook.pk)


@admin_required
def webhook_delete(request, pk):
    webhook = _webhook(request, pk)
    if request.method == "POST":
        services.webhook_delete(org=request.user.org, actor=request.user, webhook=webhook)
        messages.success(request, f"Webhook “{webhook.name}” deleted.")
        return redirect("settings-webhooks")
    return render(request, "apps_directory/webhook_delete.html", {"webhook": webhook})


@admin_required
@require_POST
def delivery_replay(request, pk, delivery_pk):
    org = request.user.org
    webhook = _webhook(request, pk)
    delivery = selectors.delivery(org=org, webhook=webhook, pk=delivery_pk)
    if delivery is None:
        raise Http404
    services.delivery_replay(org=org, actor=request.user, delivery=delivery)
    messages.success(request, f"Delivery {delivery.pk} queued again.")
    return redirect("settings-webhook", pk=webhook.pk)


@admin_required
@require_POST
def webhook_replay_failed(request, pk):
    org = request.user.org
    webhook = _webhook(request, pk)
    replay_form = ReplayForm(request.POST)
    if replay_form.is_valid():
        count = services.deliveries_replay_failed(
            org=org,
            actor=request.user,
            webhook=webhook,
            start=replay_form.cleaned_data["start"],
            end=replay_form.cleaned_data["end"],
        )
        messages.success(request, f"{count} failed deliveries queued again.")
        return redirect("settings-webhook", pk=webhook.pk)
    return render(
        request,
        "apps_directory/webhook.html",
        _context(
            request,
            webhook=webhook,
            form=WebhookForm(
                initial=WebhookForm.initial_for(webhook), klasses=_klasses(org), webhook=webhook
            ),
            deliveries=_deliveries(org, webhook),
            replay_form=replay_form,
        ),
        status=400,
    )


# ---- inbound hooks ----------------------------------------------------------------------------


def _hook(request, pk):
    hook = hook_selectors.hook(org=request.user.org, pk=pk)
    if hook is None:
        raise Http404
    return hook


@admin_required
def hook_list(request):
    org = request.user.org
    form = HookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = hook_services.hook_create(
                org=org, actor=request.user, data=dict(form.cleaned_data)
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                field = error.pointer.strip("/")
                form.add_error(field if field in form.fields else None, error.detail)
        else:
            messages.success(request, f"Hook “{hook.name}” created.")
            return redirect("settings-hook", pk=hook.pk)
    return render(
        request,
        "apps_directory/hooks.html",
        {"form": form, "hooks": list(hook_selectors.hooks(org=org))},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@admin_required
def hook_detail(request, pk):
    org = request.user.org
    hook = _hook(request, pk)
    form = HookEditForm(
        request.POST or None,
        initial={"name": hook.name, "rate_limit_per_minute": hook.rate_limit_per_minute},
    )
    if request.method == "POST" and form.is_valid():
        data = {
            "name": form.cleaned_data["name"],
            "rateLimitPerMinute": form.cleaned_data["rate_limit_per_minute"],
        }
        try:
            hook_services.hook_update(org=org, actor=request.user, hook=hook, data=data)
        except ValidationFailed as exc:
            for error in exc.errors:
                field = {"/name": "name", "/rateLimitPerMinute": "rate_limit_per_minute"}.get(
                    error.pointer
                )
                form.add_error(field, error.detail)
        else:
            messages.success(request, "Hook saved.")
            return redirect("settings-hook", pk=hook.pk)
    calls = hook_selectors.recent_calls(org=org, hook=hook)
    for call in calls:
        call["payload_text"] = json.dumps(
            (call["data"] or {}).get("payload"), indent=2, ensure_ascii=False
        )
    return render(
        request,
        "apps_directory/hook.html",
        {
            "hook": hook,
            "form": form,
            "calls": calls,
            "url": request.build_absolute_uri(hook.path),
            # the limits the intake applies (settings), not figures written into the page
            "max_bytes": (
                settings.HOOK_WEB_MAX_BYTES
                if hook.kind == hook.Kind.WEB
                else settings.HOOK_EMAIL_MAX_BYTES
            ),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@admin_required
@require_POST
def hook_toggle(request, pk):
    hook = _hook(request, pk)
    enabled = not hook.enabled
    hook_services.hook_update(
        org=request.user.org, actor=request.user, hook=hook, data={"enabled": enabled}
    )
    messages.success(request, "Hook turned on." if enabled else "Hook turned off.")
    return redirect("settings-hook", pk=hook.pk)


@admin_required
@require_http_methods(["GET", "POST"])
def hook_rotate(request, pk):
    """A new address, after asking (GET): the current one stops working at once, so whatever
    posts to it fails until it is given the new one."""
    hook = _hook(request, pk)
    if request.method == "GET":
        return render(request, "apps_directory/hook_rotate.html", {"hook": hook})
    hook_services.hook_rotate(org=request.user.org, actor=request.user, hook=hook)
    messages.success(request, "New address made; the old one stopped working.")
    return redirect("settings-hook", pk=pk)


@admin_required
def hook_delete(request, pk):
    hook = _hook(request, pk)
    if request.method == "POST":
        hook_services.hook_delete(org=request.user.org, actor=request.user, hook=hook)
        messages.success(request, f"Hook “{hook.name}” deleted.")
        return redirect("settings-hooks")
    return render(request, "apps_directory/hook_delete.html", {"hook": hook})
