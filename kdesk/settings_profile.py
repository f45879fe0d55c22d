"""Settings → Your profile (/settings/profile/), for everyone signed in: name, @mention handle,
time zone, password and desktop alerts. Agents who open /settings/ land here: the rest of
settings is for admins."""

from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from kdesk import views
from kdesk.errors import Conflict, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.services import user_profile_update

FIELDS = {"/displayName": "display_name", "/username": "username", "/timeZone": "time_zone"}


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=150, label="Name", help_text="As others see it.")
    username = forms.CharField(
        max_length=64,
        label="Mention handle",
        help_text="Colleagues write @handle in a note to notify you.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "username"}),
    )
    time_zone = forms.ChoiceField(label="Time zone", help_text="Times in the desk are shown in it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (z, z.replace("_", " ")) for z in sorted(available_timezones())
        ]


@login_required
def settings_entry(request):
    """/settings/: the admin's home; an agent's own profile."""
    if request.user.role != "admin":
        return redirect("settings-profile")
    return views.settings_home(request)


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "username": user.username,
            "time_zone": user.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_profile_update(
                org=user.org,
                actor=user,
                user=user,
                display_name=form.cleaned_data["display_name"],
                username=form.cleaned_data["username"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc, FIELDS)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("settings-profile")
    return render(
        request,
        "settings/profile.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
