"""The community's public face: no login, no script, no personal data; the figures of the
known situation, and the demo's partners."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_the_public_summary_of_the_known_situation(situation, anon_api, client):
    body = anon_api.get("/api/public/summary/", {"community": "heping"}).json()
    assert body["books"]["month"] == {"income": "500.00", "expense": "0.00"}
    assert body["books"]["year"] == {"income": "1500.00", "expense": "300.00"}
    assert body["inquiries"] == {"on_time": 1, "late": 3, "pending": 1, "on_time_rate": 0.25}
    assert body["disclosure"] is None and body["partners"] == []
    # The lease area is installed and 和平 has no lease in the situation: real zeros, an empty week.
    assert set(body["charity_by_month"]) == {str(m) for m in range(1, 13)}
    assert all(cell == {"due": "0.00", "remitted": "0.00"} for cell in body["charity_by_month"].values())
    assert body["timetable"] == []
    assert body["opening_hours"] and {"room", "weekday", "opens", "closes"} <= set(body["opening_hours"][0])
    fenghuang = anon_api.get("/api/public/summary/", {"community": "fenghuang"}).json()
    assert fenghuang["disclosure"]["period"] == "2026-08" and len(fenghuang["disclosure"]["hash"]) == 64
    assert anon_api.get("/api/public/summary/", {"community": "nowhere"}).status_code == 404
    page = client.get("/public/fenghuang/").content.decode()
    assert fenghuang["disclosure"]["hash"] in page and "<svg" in page and "<script" not in page.split("</header>")[1]
    heping = client.get("/public/heping/").content.decode()
    assert "按时答复 1 件，逾期 3 件（按时率 25.0%）" in heping
    assert 'data-testid="chart-public-books"' in heping and "¥1,500.00" in heping


def test_the_public_page_joins_partners_and_answers_without_personal_data(demo, client):
    from workflows.partners.models import Partner

    response = client.get("/public/heping/")
    assert response.status_code == 200
    html = response.content.decode()
    partners = Partner.objects.filter(community=demo["communities"]["heping"], state="active")
    assert all(p.public_name in html for p in partners)
    assert 'href="/public/heping/books/"' in html and 'href="/public/heping/partners/"' in html
    assert 'href="/public/heping/notices/"' in html
    # No phone, ID or credit code of a person; no resident's name.
    assert not re.search(r"1[3-9]\d{9}", html) and not re.search(r"\d{17}[\dXx]", html)
    assert "李阿姨" not in html and "resident_li" not in html
    # Old links with ?month= still open the books (printed QR codes).
    books = client.get("/public/heping/?month=2026-05")
    assert books.status_code == 200 and 'data-testid="public-ledger"' in books.content.decode()
    assert client.get("/public/heping/books/").status_code == 200
