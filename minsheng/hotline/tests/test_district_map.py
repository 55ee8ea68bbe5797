"""The district map on the rates page: the JSON the chart reads, with exact figures from a hand-computed
fixture, every district listed (those without tickets as nulls), names matched without the 区/县 suffix,
and the table fallback beside it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.core.models import Area
from minsheng.hotline import selectors

from .factories import BEIJING, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(users, places):
    miyun, _ = Area.objects.get_or_create(code="110118", defaults={"name": "密云区", "level": "district"})
    chaoyang, haidian, unit = places["chaoyang"], places["haidian"], users["unit_obj"]

    def make(district, **fields):
        return TicketFactory(unit=unit, district=district, **fields)

    # 朝阳区: 4 tickets, 1 excluded. Assessable 3: responded 2, resolved 2 of 3 revisited,
    # satisfaction (1 + 0.8 + 0) / 3 = 60 %; score 100 × (0.1 × 2/3 + 0.45 × 2/3 + 0.45 × 0.6) = 63.67.
    make(chaoyang)
    make(chaoyang, satisfaction="basic")
    make(chaoyang, responded_in_time=False, resolved=False, satisfaction="unsatisfied")
    make(chaoyang, excluded=True, exclusion_reason="重复来电", resolved=False, satisfaction="unsatisfied")
    # 海淀区: 2 tickets, all well; an enquiry answered directly (no unit) is not assessed, so not counted.
    make(haidian)
    make(haidian)
    TicketFactory(unit=None, district=haidian, kind="consultation")
    make(haidian, received_at=dt.datetime(2025, 10, 9, 9, tzinfo=BEIJING))  # October
    return {"chaoyang": chaoyang, "haidian": haidian, "miyun": miyun}


def _map_json(page: str) -> list[dict]:
    match = re.search(r'<script id="district-map-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the map's data is not on the page"
    return json.loads(match.group(1))


def test_rates_page_renders_the_district_maps_data(client, users, tickets):
    login(client, users["staff"])
    page = client.get("/hotline/rates/?month=2025-11&by=street").content.decode()
    assert 'data-testid="district-map"' in page and "vendor/echarts/maps/beijing.js" in page
    c, h, m = tickets["chaoyang"].pk, tickets["haidian"].pk, tickets["miyun"].pk
    assert _map_json(page) == [
        {"key": c, "name": "朝阳区", "stem": "朝阳", "total": 4, "assessable": 3, "response": 66.67,
         "resolution": 66.67, "satisfaction": 60.0, "score": 63.67},
        {"key": h, "name": "海淀区", "stem": "海淀", "total": 2, "assessable": 2, "response": 100.0,
         "resolution": 100.0, "satisfaction": 100.0, "score": 100.0},
        {"key": m, "name": "密云区", "stem": "密云", "total": 0, "assessable": 0, "response": None,
         "resolution": None, "satisfaction": None, "score": None},
    ]
    # The table fallback has the same figures, and each district drills into its streets.
    table = page[page.index('data-testid="district-table"'):page.index("</table>", page.index('data-testid="district-table"'))]
    rows = re.findall(r"<tr data-district=\"(\d+)\">(.*?)</tr>", table, re.S)
    assert [int(k) for k, _ in rows] == [c, h, m]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", rows[0][1], re.S)]
    assert cells == ["朝阳区", "4", "66.67%", "66.67%", "60.00%", "63.67"]
    assert f'href="?month=2025-11&by=street&district={c}"' in table
    assert re.sub(r"<[^>]+>|\s", "", rows[2][1]) == "密云区0————"


def test_the_map_rate_is_chosen_and_the_october_map_differs(client, users, tickets):
    login(client, users["leader"])
    page = client.get("/hotline/rates/?month=2025-11&map_rate=resolution").content.decode()
    assert '<option value="resolution" selected>' in page
    assert '<option value="satisfaction" selected>' in client.get("/hotline/rates/?month=2025-11&map_rate=x").content.decode()
    october = _map_json(client.get("/hotline/rates/?month=2025-10").content.decode())
    assert [(d["name"], d["total"], d["score"]) for d in october] == [("朝阳区", 0, None), ("海淀区", 1, 100.0),
                                                                      ("密云区", 0, None)]


def test_district_names_match_without_the_suffix():
    assert [selectors.district_stem(n) for n in ("密云县", "密云区", " 延庆县 ", "东城区", "城区")] == \
        ["密云", "密云", "延庆", "东城", "城区"]


def test_the_district_table_and_the_map_share_one_scan_of_the_month(client, users, tickets):
    login(client, users["staff"])
    by_street = _map_json(client.get("/hotline/rates/?month=2025-11&by=street").content.decode())
    cache.clear()
    with CaptureQueriesContext(connection) as q:
        by_district = _map_json(client.get("/hotline/rates/?month=2025-11&by=district").content.decode())
    assert by_district == by_street
    scans = [x["sql"] for x in q.captured_queries if "GROUP BY" in x["sql"] and '"hotline_ticket"."district_id"' in x["sql"]]
    assert len(scans) == 1, scans
