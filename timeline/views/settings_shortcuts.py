"""Settings → Shortcuts and tags (/settings/shortcuts/): the org's tags with their colours and
who added each, and its shortcuts with their owners. Agents see only their own shortcuts here;
tags are the admins'. A shared shortcut is changed only by its owner or an admin (the rule the
service enforces). Every POST ends in a redirect."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from kdesk.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.views import admin_required
from timeline import selectors_pages as pages
from timeline.views.common import messages_of, org_of
from timeline.views.shortcuts import _shortcut_data, _shortcut_errors, _shortcut_form

COLOR_RE = re.compile(r"#[0-9a-f]{6}\Z")
PAGE_SIZE = 25
HOME = "/settings/shortcuts/"
STALE = "Someone else changed this tag while you were editing. Reload the page and try again."


class TagForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="As agents pick it, e.g. “refund”.")
    color = forms.CharField(
        max_length=7,
        label="Colour",
        initial="#6b7280",
        help_text="Of its chip.",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_color(self):
        color = self.cleaned_data["color"].strip().lower()
        if not COLOR_RE.match(color):
            raise forms.ValidationError("Write the colour as # and six hex digits, e.g. #2f6fed.")
        return color


def _tags_page(request, org):
    page = Paginator(conv_selectors.tags(org=org), PAGE_SIZE).get_page(request.GET.get("tags"))
    creators = pages.tag_creators(org=org, tag_ids=[t.pk for t in page.object_list])
    for tag in page.object_list:
        tag.creator = creators.get(tag.pk)
    return page


@login_required
def shortcuts_and_tags(request, tag_form=None, status=200):
    org, user = org_of(request), request.user
    shortcuts = Paginator(pages.shortcuts_for_settings(org=org, user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for row in shortcuts.object_list:
        row.can_change = conv_services.shortcut_can_change(row, user)
    context = {"shortcuts": shortcuts, "is_admin": user.role == "admin"}
    if context["is_admin"]:
        context["tags"] = _tags_page(request, org)
        context["tag_form"] = tag_form or TagForm()
    return render(request, "timeline/settings/shortcuts.html", context, status=status)


def _tag_errors(form, exc):
    add_service_errors(form, exc, {"/name": "name", "/color": "color"}, stale=STALE)


@admin_required
@require_http_methods(["POST"])
def tag_new(request):
    form = TagForm(request.POST)
    if form.is_valid():
        data = {"name": form.cleaned_data["name"], "color": form.cleaned_data["color"]}
        try:
            tag = conv_services.tag_create(org=org_of(request), actor=request.user, data=data)
        except (ValidationFailed, Conflict) as exc:
            _tag_errors(form, exc)
        else:
            messages.success(request, f"Tag “{tag.name}” added.")
            return redirect(HOME)
    return shortcuts_and_tags(request, tag_form=form, status=400)


def _tag(request, pk):
    tag = conv_selectors.tags(org=org_of(request)).filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


@admin_required
@require_http_methods(["GET", "POST"])
def tag_edit(request, pk):
    tag = _tag(request, pk)
    form = TagForm(
        request.POST or None, initial={"name": tag.name, "color": tag.color, "rev": tag.rev}
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            conv_services.tag_update(
                org=org_of(request),
                actor=request.user,
                tag=tag,
                data={"name": c["name"], "color": c["color"], "rev": c["rev"]},
            )
        except (ValidationFailed, Conflict) as exc:
            _tag_errors(form, exc)
        else:
            messages.success(request, f"Tag “{c['name']}” saved.")
            return redirect(HOME)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "timeline/settings/tag_form.html", {"form": form, "tag": tag}, status=status
    )


@admin_required
@require_http_methods(["GET", "POST"])
def tag_remove(request, pk):
    tag = _tag(request, pk)
    if request.method == "POST":
        conv_services.tag_delete(org=org_of(request), actor=request.user, tag=tag)
        messages.success(request, f"Tag “{tag.name}” deleted.")
        return redirect(HOME)
    return render(request, "timeline/settings/tag_delete.html", {"tag": tag})


def _own_or_404(request, pk):
    """A shortcut this person may change; another org's, someone's private one, or (for an
    agent) a shared one of someone else is not found here."""
    shortcut = pages.shortcuts_for_settings(org=org_of(request), user=request.user)
    shortcut = shortcut.filter(pk=pk).first()
    if shortcut is None or not conv_services.shortcut_can_change(shortcut, request.user):
        raise Http404
    return shortcut


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_edit(request, pk):
    shortcut = _own_or_404(request, pk)
    org = org_of(request)
    form, errors, other = _shortcut_form(request, shortcut), {}, []
    if request.method == "POST":
        try:
            conv_services.shortcut_update(
                org=org,
                actor=request.user,
                shortcut=shortcut,
                data={**_shortcut_data(form, shortcut), "rev": shortcut.rev},
                partial=True,
            )
        except (ValidationFailed, Conflict) as exc:
            errors, other = _shortcut_errors(exc, org)
        except (NotFound, Forbidden) as exc:
            other = messages_of(exc, org)
        else:
            messages.success(request, f"Shortcut #{form['name']} saved.")
            return redirect(HOME)
    context = {"form": form, "errors": errors, "form_errors": other, "editing": shortcut}
    return render(
        request,
        "timeline/settings/shortcut_form.html",
        context,
        status=400 if errors or other else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_remove(request, pk):
    shortcut = _own_or_404(request, pk)
    if request.method == "POST":
        conv_services.shortcut_delete(org=org_of(request), actor=request.user, shortcut=shortcut)
        messages.success(request, f"Shortcut #{shortcut.name} deleted.")
        return redirect(HOME)
    return render(request, "timeline/settings/shortcut_delete.html", {"shortcut": shortcut})
