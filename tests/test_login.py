"""Logins: lockout by account and by address (django-axes), the records a supervisor reads,
the password rules, and sessions that end when idle."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from budgetportal.settings import client_address

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-pass-2024"
LOCKED = "此账号或此网络地址已被暂时锁定，请 30 分钟后再试"


def log_in(client: Client, username: str, password: str, address: str = "198.51.100.1", **meta):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **meta,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def fail_five_times(username: str = "linxia_clerk", address: str = "198.51.100.1") -> list:
    client = Client()
    return [log_in(client, username, f"wrong-{n}", address) for n in range(5)]


def test_the_right_password_logs_in():
    assert logged_in(log_in(Client(), "linxia_clerk", DEMO_PASSWORD))


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one():
    responses = fail_five_times()
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]

    client = Client()
    response = log_in(client, "linxia_clerk", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "暂时无法登录" in page
    assert LOCKED in page
    assert 'class="site-header"' in page  # the portal's page, not axes' bare text
    # Nothing that helps an attacker: not the account, nor how many tries are allowed.
    assert "linxia_clerk" not in page
    assert "5" not in response.content.decode().split("<main", 1)[1]


def test_the_account_is_locked_from_every_address():
    for n in range(5):
        log_in(Client(), "linxia_clerk", "wrong", address=f"198.51.100.{n + 10}")
    assert log_in(Client(), "linxia_clerk", DEMO_PASSWORD, "203.0.113.9").status_code == 429


def test_an_address_is_locked_across_usernames():
    for name in ("linxia_clerk", "reviewer", "publisher", "nobody", "admin"):
        log_in(Client(), name, "wrong", address="198.51.100.77")
    assert log_in(Client(), "zengcheng_clerk", DEMO_PASSWORD, "198.51.100.77").status_code == 429
    # Other accounts from other addresses are not affected.
    assert logged_in(log_in(Client(), "zengcheng_clerk", DEMO_PASSWORD, "198.51.100.78"))


def test_the_lock_ends_after_the_cool_off_period():
    fail_five_times()
    assert log_in(Client(), "linxia_clerk", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    assert logged_in(log_in(Client(), "linxia_clerk", DEMO_PASSWORD))


def test_failures_logins_and_lockouts_are_recorded_with_time_user_and_address():
    before = timezone.now()
    log_in(Client(), "reviewer", "wrong-guess", address="198.51.100.5")
    assert logged_in(log_in(Client(), "reviewer", DEMO_PASSWORD, address="198.51.100.6"))

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.locked_out) == (
        "reviewer",
        "198.51.100.5",
        False,
    )
    assert failure.attempt_time >= before
    login = AccessLog.objects.get()
    assert (login.username, login.ip_address) == ("reviewer", "198.51.100.6")
    assert login.attempt_time >= before
    assert "wrong-guess" not in AccessAttempt.objects.get().post_data

    fail_five_times("publisher", "198.51.100.7")
    assert AccessFailureLog.objects.filter(username="publisher", locked_out=True).count() == 1
    assert AccessAttempt.objects.get(username="publisher").failures_since_start == 5


def test_forwarded_for_is_ignored_without_a_trusted_proxy():
    for n in range(5):
        log_in(Client(), f"user{n}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    assert log_in(Client(), "reviewer", DEMO_PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote 192.0.2.1 itself; the proxy appended the address it saw.
    log_in(
        Client(), "reviewer", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.50"
    )
    assert AccessFailureLog.objects.get().ip_address == "203.0.113.50"


@pytest.mark.parametrize(
    ("forwarded", "count", "address"),
    [
        ("203.0.113.50", 0, "10.0.0.2"),
        ("192.0.2.1, 203.0.113.50", 1, "203.0.113.50"),
        ("192.0.2.1, 203.0.113.50, 10.0.0.9", 2, "203.0.113.50"),
        ("", 1, "10.0.0.2"),  # no header: a request that did not come through the proxy
        ("not-an-address", 1, "10.0.0.2"),
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_client_address(settings, forwarded, count, address):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == address


# The records in the admin ----------------------------------------------------------------

RECORDS = ("accessattempt", "accesslog", "accessfailurelog")


@pytest.fixture
def records():
    fail_five_times("linxia_clerk", "198.51.100.99")
    log_in(Client(), "reviewer", DEMO_PASSWORD, "198.51.100.98")


def as_user(client: Client, username: str) -> Client:
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.mark.parametrize("model", RECORDS)
def test_a_superuser_reads_the_records_in_the_admin(client, records, model):
    response = as_user(client, "admin").get(reverse(f"admin:axes_{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "198.51.100.9" in page
    assert "linxia_clerk" in page or "reviewer" in page


@pytest.mark.parametrize("persona", ["linxia_clerk", "reviewer", "publisher"])
def test_staff_roles_can_neither_read_nor_change_the_records(client, records, persona):
    client = as_user(client, persona)
    assert client.get(reverse("admin:app_list", args=["axes"])).status_code == 404
    apps = client.get(reverse("admin:index")).context["app_list"]
    assert "axes" not in {app["app_label"] for app in apps}
    for model in RECORDS:
        record = {
            "accessattempt": AccessAttempt,
            "accesslog": AccessLog,
            "accessfailurelog": AccessFailureLog,
        }[model].objects.first()
        assert client.get(reverse(f"admin:axes_{model}_changelist")).status_code == 403
        change = reverse(f"admin:axes_{model}_change", args=[record.pk])
        assert client.get(change).status_code == 403
        delete = reverse(f"admin:axes_{model}_delete", args=[record.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()


# Password rules -------------------------------------------------------------------------

WEAK = ["12345678", "password", "password1234", "chen.xiaoming.finance", "Chen.Xiaoming"]


@pytest.mark.parametrize("password", WEAK)
def test_the_admin_refuses_weak_passwords_for_a_new_user(client, password):
    response = as_user(client, "admin").post(
        reverse("admin:auth_user_add"),
        {
            "username": "chen.xiaoming.finance",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password2"]
    assert not get_user_model().objects.filter(username="chen.xiaoming.finance").exists()


def test_the_admin_accepts_a_strong_password_for_a_new_user(client):
    response = as_user(client, "admin").post(
        reverse("admin:auth_user_add"),
        {
            "username": "chen.xiaoming.finance",
            "usable_password": "true",
            "password1": "Lu-jiang-harbour-7731",
            "password2": "Lu-jiang-harbour-7731",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="chen.xiaoming.finance").has_usable_password()


@pytest.mark.parametrize("password", ["12345678", "password", "linxia_clerk", "qwertyuiop12"])
def test_the_admin_refuses_a_weak_password_change(client, password):
    clerk = get_user_model().objects.get(username="linxia_clerk")
    response = as_user(client, "admin").post(
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        {"usable_password": "true", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    clerk.refresh_from_db()
    assert clerk.check_password(DEMO_PASSWORD)


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError, match="12"):
        validate_password("Lu-jiang-77")
    validate_password("Lu-jiang-771")


# Idle sessions --------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Time that moves only when told to (minutes from now)."""
    start = timezone.now()
    now = [start]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def at(minutes: float) -> None:
        now[0] = start + timedelta(minutes=minutes)

    return at


def test_a_session_ends_after_thirty_idle_minutes_and_lasts_while_used(client, clock):
    as_user(client, "linxia_clerk")
    admin = reverse("admin:index")
    for minute in (20, 45, 70, 95):  # 25 minutes between requests: still logged in
        clock(minute)
        assert client.get(admin).status_code == 200, minute
    clock(95 + 31)
    response = client.get(admin)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_the_idle_period_is_a_setting(client, clock, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    as_user(client, "linxia_clerk")
    clock(4)
    assert client.get(reverse("admin:index")).status_code == 200
    clock(10)
    assert client.get(reverse("admin:index")).status_code == 302
