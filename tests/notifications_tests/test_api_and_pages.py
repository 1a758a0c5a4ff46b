"""REST and pages: always the caller's own rows; another user's id is a 404."""

import pytest

from notifications.models import Notification
from notifications.services import notify


@pytest.fixture
def rows(users):
    def make(user, n=1, title="Budget meeting"):
        return [
            notify(kind="system.message", params={"title": f"{title} {i}", "body": "Room 2"}, url="/ledger/", users=[user])[0]
            for i in range(n)
        ]

    return make


def test_the_list_shows_my_rows_newest_first_and_can_filter_unread(users, rows, api_for):
    me = users["gubu_staff"]
    first, second, third = rows(me, 3)
    rows(users["heping_staff"], 2)
    Notification.objects.filter(pk=second.pk).update(read_at=first.created_at)
    response = api_for(me).get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [third.pk, second.pk, first.pk]
    assert response.json()["results"][0]["title"] == "Notice: Budget meeting 2"
    assert response.json()["results"][0]["url"] == "/ledger/"
    unread = api_for(me).get("/api/notifications/?unread=1").json()["results"]
    assert [r["id"] for r in unread] == [third.pk, first.pk]
    assert unread[0]["title"] == "通知：Budget meeting 2"


def test_read_marks_one_and_another_users_id_is_a_404(users, rows, api_for):
    me, other = users["gubu_staff"], users["heping_staff"]
    [mine] = rows(me)
    [theirs] = rows(other)
    response = api_for(me).post(f"/api/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert api_for(me).post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert api_for(me).get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert api_for(me).post("/api/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_and_unread_count(users, rows, api_for):
    me, other = users["gubu_staff"], users["heping_staff"]
    rows(me, 3)
    rows(other, 1)
    assert api_for(me).get("/api/notifications/unread-count/").json() == {"unread": 3}
    assert api_for(me).post("/api/notifications/read-all/").json() == {"marked": 3}
    assert api_for(me).get("/api/notifications/unread-count/").json() == {"unread": 0}
    assert api_for(other).get("/api/notifications/unread-count/").json() == {"unread": 1}


def test_anonymous_callers_get_no_notifications(anon_api):
    assert anon_api.get("/api/notifications/").status_code in (401, 403)
    assert anon_api.get("/api/notifications/unread-count/").status_code in (401, 403)


def test_every_page_shows_the_bell_with_the_unread_badge(users, rows, client):
    me = users["gubu_staff"]
    made = rows(me, 2)
    client.force_login(me)
    page = client.get("/").content.decode()
    assert 'data-testid="notification-bell"' in page
    assert 'data-testid="notification-badge" aria-live="polite">2</span>' in page
    assert f'data-last-seq="{made[-1].seq}"' in page
    assert "notifications/live.js" in page


def test_the_inbox_page_lists_my_rows_and_marks_them_read(users, rows, client):
    me = users["gubu_staff"]
    [mine] = rows(me, title="Water cut")
    [theirs] = rows(users["heping_staff"], title="Secret")
    client.force_login(me)
    page = client.get("/notifications/").content.decode()
    assert "通知：Water cut 0" in page and "Secret" not in page
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    rows(me, 2)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_the_inbox_page_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302


def test_the_redis_settings_reach_channels_redis_pool():
    """settings.py's REDIS_MAX_CONNECTIONS and REDIS_SOCKET_TIMEOUT must arrive in redis-py's pool
    under channels-redis 4.3's config keys (read in a fresh process with REDIS_URL set)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    snippet = (
        "import json, django; django.setup()\n"
        "from channels.layers import get_channel_layer\n"
        "from channels_redis.core import RedisChannelLayer\n"
        "layer = get_channel_layer(); pool = layer.create_pool(0)\n"
        "print(json.dumps({'max': pool.max_connections, 'timeout': pool.connection_kwargs.get('socket_timeout'),"
        " 'pop': RedisChannelLayer.brpop_timeout, 'backend': type(layer).__name__}))\n"
    )
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "settings-check-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", "DEBUG": "0",
    }
    env.pop("REDIS_MAX_CONNECTIONS", None)
    env.pop("REDIS_SOCKET_TIMEOUT", None)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", snippet], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    pool = json.loads(result.stdout.strip().splitlines()[-1])
    assert pool["backend"] == "RedisChannelLayer"
    assert pool["max"] == 1000
    assert pool["timeout"] > pool["pop"]


def test_the_inbox_page_is_paged_newest_first(users, rows, client):
    me = users["yanshan_staff"]
    made = rows(me, 32, title="Paged")
    client.force_login(me)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    shown = [f"通知：Paged {i}</a>" for i in range(32)]
    # 30 a page, newest first: 31…2 on the first page, 1 and 0 on the second.
    assert all(shown[i] in first for i in range(2, 32)) and shown[1] not in first and shown[0] not in first
    assert shown[1] in second and shown[0] in second and shown[31] not in second
    assert "page=2" in first and "page=1" in second  # links to the older and the newer page
    assert len(made) == 32
