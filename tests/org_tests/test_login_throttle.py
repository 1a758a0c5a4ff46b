"""Login limits that hold: counted atomically, per user name per address, per address much higher,
forwarded addresses believed only from the configured proxy, the real time left in Retry-After."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from project import throttle
from tests.conftest import DEMO_TEST_PASSWORD
from tests.org_tests.throttles import forget_throttles
from workflows.org import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    forget_throttles()
    yield
    forget_throttles()


def token(username, password, *, address="10.0.0.1", **headers):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address, **headers
    )


def test_thirty_simultaneous_wrong_passwords_for_one_user_get_at_most_five_evaluated(demo, monkeypatch):
    evaluated = []
    real = services.authenticate

    def counting(*args, **kwargs):
        evaluated.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", counting)
    barrier = threading.Barrier(30)
    outcomes = []

    def guess(n):
        try:
            barrier.wait(timeout=10)
            services.user_authenticate(request=None, username="heping_staff", password=f"guess-{n}", client_ip="10.0.0.9")
        except services.LoginThrottled:
            outcomes.append("throttled")
        except services.ValidationError:
            outcomes.append("wrong")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(outcomes) == 30
    assert len(evaluated) <= 5
    assert outcomes.count("wrong") == len(evaluated) and outcomes.count("throttled") >= 25


def test_an_interleaved_valid_login_does_not_reset_the_count_of_the_address(demo, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    assert token("heping_staff", "nope").status_code == 400
    assert token("gubu_staff", "nope").status_code == 400
    assert token("heping_secretary", DEMO_TEST_PASSWORD).status_code == 200  # the attacker's own account
    assert token("yanshan_staff", "nope").status_code == 400

    refused = token("heping_secretary", DEMO_TEST_PASSWORD)

    assert refused.status_code == 429
    assert "此地址" in refused.json()["detail"]


def test_one_account_guessed_from_many_addresses_is_refused_everywhere(demo, settings):
    settings.LOGIN_NAME_FAILURE_LIMIT = 4
    for n in range(4):  # under each address's own limit of 5
        assert token("heping_staff", "nope", address=f"198.51.100.{n + 1}").status_code == 400
    # The owner's own success from her usual address is refused too, and does not clear the count.
    refused = token("heping_staff", DEMO_TEST_PASSWORD, address="10.0.0.9")
    assert refused.status_code == 429
    assert "多个地址" in refused.json()["detail"] and refused.headers["Retry-After"]
    # Other accounts at those addresses are untouched.
    assert token("heping_secretary", DEMO_TEST_PASSWORD, address="198.51.100.1").status_code == 200


def test_a_successful_login_gives_back_its_count_across_addresses(demo, settings):
    settings.LOGIN_NAME_FAILURE_LIMIT = 2
    for n in range(5):  # successes never fill the name's count
        assert token("heping_staff", DEMO_TEST_PASSWORD, address=f"203.0.113.{n + 1}").status_code == 200
    assert token("heping_staff", "nope", address="203.0.113.9").status_code == 400
    assert token("heping_staff", DEMO_TEST_PASSWORD, address="203.0.113.10").status_code == 200


def test_a_spoofed_forwarded_address_is_ignored_without_the_proxy_setting(demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert token("heping_staff", "nope", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 400
    assert token("heping_staff", "nope", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 400

    assert token("heping_staff", DEMO_TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 429


def test_behind_the_configured_proxy_the_forwarded_client_address_counts(demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.BEHIND_PROXY_ADDRESSES = frozenset({"10.0.0.1"})
    for _ in range(2):
        assert token("heping_staff", "nope", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 400
    assert token("heping_staff", DEMO_TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Another client behind the same proxy is not locked out; nor is a forwarded header from an
    # address that is not the proxy believed.
    assert token("heping_staff", DEMO_TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert token("heping_staff", DEMO_TEST_PASSWORD, address="203.0.113.5",
                 HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200


@pytest.mark.parametrize(
    ("hops", "addresses", "remote", "forwarded", "expected"),
    [
        (0, frozenset(), "10.0.0.1", "1.2.3.4", "10.0.0.1"),
        (1, frozenset(), "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (2, frozenset(), "10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (1, frozenset(), "10.0.0.1", "not-an-address", "10.0.0.1"),
        (0, frozenset({"10.0.0.1", "10.0.0.2"}), "10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (0, frozenset({"10.0.0.1"}), "10.9.9.9", "1.2.3.4", "10.9.9.9"),
    ],
)
def test_the_client_address_is_taken_from_forwarded_headers_only_through_trusted_proxies(
    settings, rf, hops, addresses, remote, forwarded, expected
):
    settings.BEHIND_PROXY_HOPS, settings.BEHIND_PROXY_ADDRESSES = hops, addresses
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert throttle.client_ip(request) == expected


def test_typos_lock_a_user_name_only_at_that_address(demo):
    for _ in range(5):
        assert token("heping_staff", "typo", address="10.0.0.1").status_code == 400
    assert token("heping_staff", DEMO_TEST_PASSWORD, address="10.0.0.1").status_code == 429

    assert token("heping_staff", DEMO_TEST_PASSWORD, address="10.0.0.2").status_code == 200
    # Colleagues behind the same address are not locked out by one person's typos.
    assert token("heping_secretary", DEMO_TEST_PASSWORD, address="10.0.0.1").status_code == 200


def test_an_address_is_locked_only_after_a_much_higher_count(demo, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT >= 20 * settings.LOGIN_FAILURE_LIMIT // 5
    names = ["heping_staff", "gubu_staff", "yanshan_staff", "guilin_staff", "nanshan_staff", "fenghuang_staff"]
    for name in names:
        assert services.user_authenticate.__name__  # the service is what both doors use
        for _ in range(2):
            with pytest.raises(services.ValidationError):
                services.user_authenticate(request=None, username=name, password="x", client_ip="10.0.0.1")

    assert token("heping_secretary", DEMO_TEST_PASSWORD, address="10.0.0.1").status_code == 200


def test_retry_after_and_the_message_give_the_time_really_left_on_the_api_and_the_page(demo):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(5):
            token("heping_staff", "nope")
        traveller.shift(dt.timedelta(seconds=600))

        refused = token("heping_staff", DEMO_TEST_PASSWORD)
        page = Client(REMOTE_ADDR="10.0.0.1").post(
            "/login/", {"username": "heping_staff", "password": DEMO_TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1"
        )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "5 分钟" in refused.json()["detail"]
    assert page.status_code == 200
    assert "5 分钟" in page.content.decode()


def test_the_admin_login_counts_failures_like_the_page_and_the_api(demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        page = client.post("/admin/login/", {"username": "admin", "password": "nope"}, REMOTE_ADDR="10.0.0.7")
        assert page.status_code == 200
    locked = client.post("/admin/login/", {"username": "admin", "password": DEMO_TEST_PASSWORD}, REMOTE_ADDR="10.0.0.7")

    assert locked.status_code == 200
    assert "登录失败次数过多" in locked.content.decode()
    assert token("admin", DEMO_TEST_PASSWORD, address="10.0.0.7").status_code == 429


def test_the_admin_login_still_admits_staff_and_refuses_others(demo):
    admin_user = demo["users"]["admin"]
    assert admin_user.is_staff
    ok = Client().post("/admin/login/?next=/admin/", {"username": "admin", "password": DEMO_TEST_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"

    refused = Client().post("/admin/login/", {"username": "heping_staff", "password": DEMO_TEST_PASSWORD})
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
