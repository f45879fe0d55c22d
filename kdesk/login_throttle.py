"""Sign-in throttling (django-axes): how an attempt is keyed, which address is the client's, and
the page a locked-out person sees (the product's own sign-in page, with when to try again).

Axes counts failures per account and per client address (settings.AXES_LOCKOUT_PARAMETERS);
either reaching AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME locks sign-in for that key. A locked
attempt is refused before any password is checked, whether or not the account exists, so the
work done (and the time taken) does not tell an attacker which accounts exist.
"""

import logging

from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone

log = logging.getLogger(__name__)


def username(request, credentials):
    """The account an attempt is counted against: emails compare without case or spaces, so
    `Sam@X.com ` and `sam@x.com` share one counter."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else None


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    the outermost of them saw (counted from the right of X-Forwarded-For, which a client can
    only prepend to, never append to)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def locked_until(request, credentials):
    """When sign-in opens again for this account and address (never earlier than the truth:
    the newest counted failure of either key plus the cool-off)."""
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    who = username(request, credentials)
    newest = AccessAttempt.objects.filter(
        Q(username=who) | Q(ip_address=getattr(request, "axes_ip_address", None))
    ).aggregate(at=Max("attempt_time"))["at"]
    return (newest or timezone.now()) + cool_off


def lockout_message(until):
    local = timezone.localtime(until)
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return (
        "Too many failed sign-in attempts for this account or from your network. Sign-in is "
        f"paused until {local:%H:%M} {local.tzname()} (about {minutes} minute"
        f"{'s' if minutes != 1 else ''} from now). Then try again; if you have forgotten "
        "your password, ask an admin of your organization to reset it."
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, with the message and a 429."""
    from kdesk.views import EmailAuthenticationForm

    until = locked_until(request, credentials)
    who = username(request, credentials)
    log.warning(
        "sign-in locked out: account=%r address=%s path=%s until=%s",
        who,
        getattr(request, "axes_ip_address", None),
        request.path,
        until.isoformat(),
    )
    form = EmailAuthenticationForm(request, initial={"username": who or ""})
    context = {"form": form, "lockout": lockout_message(until), "locked_until": until}
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response
