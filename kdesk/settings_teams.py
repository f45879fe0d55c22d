"""Settings → Teams (/settings/teams/): create, rename, choose members, delete. Writes go
through kdesk.services; every POST ends in a redirect."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from kdesk import selectors_people as selectors
from kdesk.errors import Conflict, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.services import team_create, team_delete, team_update
from kdesk.views import admin_required

FIELDS = {"/name": "name", "/slug": "slug", "/displayName": "display_name"}
STALE = "Someone else changed this team while you were editing. Reload the page and try again."


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="E.g. “Returns” or “Tier 2”.")
    slug = forms.SlugField(
        max_length=64,
        required=False,
        label="Mention handle",
        help_text="Agents write @handle in a note to notify the team. Filled in from the name.",
    )
    members = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Members"
    )
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (str(p.pk), f"{p.display_name} (@{p.username})") for p in people if p.is_active
        ]

    def service_data(self):
        c = self.cleaned_data
        data = {"name": c["name"], "members": [int(pk) for pk in c["members"]]}
        if c.get("slug"):
            data["slug"] = c["slug"]
        return data


def _field_of(pointer):
    if pointer.startswith("/members"):
        return FIELDS.get(pointer, "members")
    return FIELDS.get(pointer)


def _add_errors(form, exc):
    add_service_errors(form, exc, _field_of, stale=STALE)


@admin_required
def team_list(request):
    return render(
        request, "settings/teams.html", {"teams": list(selectors.teams(org=request.user.org))}
    )


def _team(request, pk):
    found = selectors.team(org=request.user.org, pk=pk)
    if found is None:
        raise Http404
    return found


@admin_required
def team_new(request):
    org = request.user.org
    form = TeamForm(request.POST or None, people=list(selectors.people(org=org)))
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(org=org, actor=request.user, data=form.service_data())
        except (ValidationFailed, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Team “{team.name}” created.")
            return redirect("settings-teams")
    return render(
        request,
        "settings/team_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def team_edit(request, pk):
    org = request.user.org
    team = _team(request, pk)
    form = TeamForm(
        request.POST or None,
        people=list(selectors.people(org=org)),
        initial={
            "name": team.name,
            "slug": team.slug,
            "members": [str(m.pk) for m in team.members.all()],
            "rev": team.rev,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            team = team_update(
                org=org,
                actor=request.user,
                team=team,
                data=form.service_data(),
                rev=form.cleaned_data["rev"],
            )
        except (ValidationFailed, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Team “{team.name}” saved.")
            return redirect("settings-teams")
    return render(
        request,
        "settings/team_form.html",
        {"form": form, "team": team},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def team_remove(request, pk):
    team = _team(request, pk)
    if request.method == "POST":
        team_delete(org=request.user.org, actor=request.user, team=team)
        messages.success(request, f"Team “{team.name}” deleted.")
        return redirect("settings-teams")
    return render(request, "settings/team_delete.html", {"team": team})
