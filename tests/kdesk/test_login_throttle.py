"""Sign-in is throttled per account and per client address (django-axes, on in these tests as in
production): past the limit the product's own sign-in page says until when sign-in is paused,
the right password is refused too, the lockout is logged, and an attempt costs the same work
whether or not the account exists."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kdesk.models import User

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


@pytest.fixture(autouse=True)
def throttling_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


def sign_in(email, password, *, address="10.0.0.1", path="/login/", **extra):
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": email, "password": password}, **extra)
    return response, client


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(email, times, *, address="10.0.0.1", path="/login/"):
    """Wrong passwords: the form again, until the one that reaches the limit locks."""
    codes = []
    for _ in range(times):
        response, _ = sign_in(email, "wrong password", address=address, path=path)
        codes.append(response.status_code)
    assert set(codes) <= {200, 429} and codes == sorted(codes), codes
    return codes


def assert_locked(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html and 'id="login-locked"' in html  # our page, not axes'
    assert "Too many failed sign-in attempts" in html
    assert re.search(r"paused until \d\d:\d\d UTC \(about 15 minutes from now\)", html), html
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    return html


def test_wrong_passwords_then_the_right_one_is_refused_until_the_cool_off(agent):
    assert fail(agent.email, 5) == [200, 200, 200, 200, 429]  # the fifth failure locks
    response, client = sign_in(agent.email, RIGHT)
    assert_locked(response)
    assert not signed_in(client)
    # the form keeps the email, so the person sees which account is paused
    assert f'value="{agent.email}"' in response.content.decode()


def test_below_the_limit_the_right_password_works(agent):
    fail(agent.email, 4)
    response, client = sign_in(agent.email, RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_the_page_says_the_time_sign_in_opens_again(agent):
    from axes.models import AccessAttempt

    fail(agent.email, 5)
    newest = AccessAttempt.objects.latest("attempt_time").attempt_time
    html = assert_locked(sign_in(agent.email, RIGHT)[0])
    opens = timezone.localtime(newest + timedelta(minutes=15))
    assert f"paused until {opens:%H:%M} UTC" in html
    # more attempts while paused do not move that time
    for _ in range(3):
        assert_locked(sign_in(agent.email, "wrong password")[0])
    assert AccessAttempt.objects.latest("attempt_time").attempt_time == newest


def test_the_lockout_lifts_after_the_cool_off(agent):
    from axes.models import AccessAttempt

    fail(agent.email, 5)
    assert_locked(sign_in(agent.email, RIGHT)[0])
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response, client = sign_in(agent.email, RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_an_account_is_throttled_from_every_address(agent):
    for n in range(5):
        fail(agent.email, 1, address=f"10.0.1.{n}")
    assert_locked(sign_in(agent.email, RIGHT, address="10.0.2.1")[0])


def test_an_address_is_throttled_for_every_account(org, agent):
    from tests.factories import UserFactory

    for n in range(5):
        fail(f"guess{n}@example.com", 1, address="10.9.9.9")
    other = UserFactory(org=org)
    assert_locked(sign_in(other.email, RIGHT, address="10.9.9.9")[0])
    # the same person from another address is not affected by that address's failures
    response, client = sign_in(other.email, RIGHT, address="10.9.9.10")
    assert response.status_code == 302 and signed_in(client)


def test_case_and_spaces_do_not_make_a_new_counter(agent):
    email = agent.email
    for n, variant in enumerate([email.upper(), f" {email}", email.title(), f"{email}  ", email]):
        fail(variant, 1, address=f"10.0.3.{n}")
    assert_locked(sign_in(agent.email, RIGHT, address="10.0.4.1")[0])


def test_the_admin_sign_in_shares_the_throttle(admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    fail(admin_user.email, 3, path="/admin/login/")
    fail(admin_user.email, 2)
    response, client = sign_in(admin_user.email, RIGHT, path="/admin/login/")
    assert_locked(response)
    assert not signed_in(client)


def test_the_lockout_is_logged(agent, caplog):
    fail(agent.email, 5, address="10.7.7.7")
    caplog.clear()
    with caplog.at_level("WARNING", logger="kdesk.login_throttle"):
        assert_locked(sign_in(agent.email, RIGHT, address="10.7.7.7")[0])
    (record,) = [r for r in caplog.records if r.name == "kdesk.login_throttle"]
    assert agent.email in record.getMessage() and "10.7.7.7" in record.getMessage()


class Hashes:
    """Counts password hashing (the costly step) through the configured hasher."""

    def __init__(self, monkeypatch):
        from django.contrib.auth.hashers import get_hasher

        hasher = type(get_hasher())
        self.count = 0
        original = hasher.encode

        def encode(this, *args, **kwargs):
            self.count += 1
            return original(this, *args, **kwargs)

        monkeypatch.setattr(hasher, "encode", encode)

    def during(self, fn):
        before = self.count
        with CaptureQueriesContext(connection) as queries:
            fn()
        return self.count - before, len(queries)


def test_unknown_and_known_accounts_cost_the_same(agent, monkeypatch):
    hashes = Hashes(monkeypatch)
    assert not User.objects.filter(email="nobody@example.com").exists()
    known = hashes.during(lambda: sign_in(agent.email, "wrong password", address="10.5.0.1"))
    unknown = hashes.during(
        lambda: sign_in("nobody@example.com", "wrong password", address="10.5.0.2")
    )
    assert known == unknown and known[0] == 1  # one hash each: the miss is not cheaper
    fail(agent.email, 4, address="10.5.0.1")
    fail("nobody@example.com", 4, address="10.5.0.2")
    known = hashes.during(lambda: assert_locked(sign_in(agent.email, RIGHT, address="10.5.0.1")[0]))
    unknown = hashes.during(
        lambda: assert_locked(sign_in("nobody@example.com", RIGHT, address="10.5.0.2")[0])
    )
    assert known == unknown and known[0] == 0  # locked: refused before any password check


def test_client_address_behind_trusted_proxies(settings, agent):
    from django.test import RequestFactory

    from kdesk.login_throttle import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # nothing trusted: the socket's peer
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw; the forged hop ignored
    # a client forging X-Forwarded-For cannot spread its failures over many addresses
    for n in range(5):
        sign_in(
            f"guess{n}@example.com",
            "x",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7",
        )
    response, _ = sign_in(
        agent.email, RIGHT, address="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7"
    )
    assert_locked(response)


def test_throttling_can_be_turned_off(settings, agent):
    settings.AXES_ENABLED = False
    fail(agent.email, 8)
    response, client = sign_in(agent.email, RIGHT)
    assert response.status_code == 302 and signed_in(client)
