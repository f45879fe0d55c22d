"""Settings → People (/settings/people/): invite by email with a one-time link that sets the
password, the admin/agent role, deactivate and reactivate. No superuser flag is ever set here.
The invitation link is Django's password-reset token: it stops working once the password is set."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_POST

from kdesk import selectors_people as selectors
from kdesk.errors import ValidationFailed
from kdesk.models import User
from kdesk.services import user_change, user_create_or_update
from kdesk.views import admin_required

INVITE_LINK = "invite_link_once"


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)
    display_name = forms.CharField(max_length=150, label="Name", help_text="As agents see it.")
    role = forms.ChoiceField(
        choices=User.Role.choices,
        initial=User.Role.AGENT,
        help_text="Admins reach these settings; agents work in the desk.",
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("Someone with this email already has an account.")
        return email


def invite_link(request, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(f"/invite/{uid}/{token}/")


@admin_required
def people_list(request):
    org = request.user.org
    form = InviteForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            user, _ = user_create_or_update(
                org=org,
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                field = error.pointer.strip("/")
                form.add_error(field if field in form.fields else None, error.detail)
        else:
            link = invite_link(request, user)
            sent = _send_invite(request, user, link)
            # shown once, after the redirect, for the admin to pass on if the email goes astray
            request.session[INVITE_LINK] = {"name": user.display_name, "link": link, "sent": sent}
            return redirect("settings-people")
    invited = request.session.pop(INVITE_LINK, None) if request.method == "GET" else None
    response = render(
        request,
        "settings/people.html",
        {
            "form": form,
            "people": list(selectors.people_with_teams(org=org)),
            "invited": invited,
            "roles": User.Role.choices,
        },
        status=400 if request.method == "POST" else 200,
    )
    if invited:
        response["Cache-Control"] = "no-store"
    return response


def _send_invite(request, user, link):
    try:
        send_mail(
            f"{request.user.display_name} invited you to kdesk",
            f"Hello {user.display_name},\n\n{request.user.display_name} invited you to "
            f"{request.user.org.name} on kdesk. Choose your password here (the link works "
            f"once):\n\n{link}\n",
            None,
            [user.email],
        )
    except OSError:  # no mail server reachable: the admin passes the link on
        return False
    return True


def _person(request, pk):
    found = selectors.person(org=request.user.org, pk=pk)
    if found is None:
        raise Http404
    return found


@admin_required
@require_POST
def person_role(request, pk):
    person = _person(request, pk)
    try:
        user_change(
            org=request.user.org, actor=request.user, user=person, role=request.POST.get("role")
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.detail for e in exc.errors))
    else:
        messages.success(request, f"{person.display_name} is now {person.role}.")
    return redirect("settings-people")


@admin_required
def person_access(request, pk):
    """Deactivate (after a confirmation) or reactivate a person."""
    person = _person(request, pk)
    if request.method != "POST":
        return render(request, "settings/person_deactivate.html", {"person": person})
    active = request.POST.get("active") == "on"
    try:
        user_change(org=request.user.org, actor=request.user, user=person, is_active=active)
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.detail for e in exc.errors))
    else:
        messages.success(
            request,
            f"{person.display_name} can sign in again."
            if active
            else f"{person.display_name} is deactivated and signed out everywhere.",
        )
    return redirect("settings-people")


def accept_invite(request, uidb64, token):
    """The invited person chooses a password; the link is spent once it is set."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True, is_machine=False).first() if pk else None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "registration/invite_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.display_name}.")
        return redirect("/inbox/")
    return render(
        request,
        "registration/invite_accept.html",
        {"form": form, "invitee": user},
        status=400 if request.method == "POST" else 200,
    )
