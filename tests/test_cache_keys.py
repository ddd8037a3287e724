"""The public page cache keys on the query parameters a page reads and on nothing else:
an unknown parameter (?nocache=<random>) is the same page and the same cache entry, the
order of the parameters does not matter, and a parameter the page reads is a new entry."""

import pytest
from django.urls import URLPattern, get_resolver

from disclosures.models import Disclosure

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


@pytest.fixture
def linxia():
    return Disclosure.objects.select_related("department__region").get(
        department__name=LINXIA, revision=1
    )


def x_cache(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["X-Cache"]


def test_an_unknown_parameter_hits_the_same_entry(client, linxia):
    url = linxia.current_url
    assert x_cache(client, f"{url}?nocache=1") == "miss"
    assert x_cache(client, f"{url}?nocache=2") == "hit"
    assert x_cache(client, url) == "hit"
    assert x_cache(client, f"{url}?utm_source=weixin&from=timeline") == "hit"


def test_a_parameter_the_page_reads_is_its_own_entry(client):
    assert x_cache(client, "/search/?q=临夏&nocache=1") == "miss"
    assert x_cache(client, "/search/?nocache=2&q=临夏") == "hit"
    assert x_cache(client, "/search/?q=增城&nocache=1") == "miss"
    assert x_cache(client, "/search/?q=增城") == "hit"


def test_the_order_of_parameters_and_blank_ones_do_not_matter(client, linxia):
    compare = f"/regions/{linxia.department.region.code}/2024/compare/"
    assert x_cache(client, f"{compare}?sort=three_public&order=asc") == "miss"
    assert x_cache(client, f"{compare}?order=asc&sort=three_public&x=1") == "hit"
    assert x_cache(client, f"{compare}?sort=three_public&order=desc") == "miss"
    assert x_cache(client, "/api/disclosures/?year=2024&page=") == "miss"
    assert x_cache(client, "/api/disclosures/?year=2024") == "hit"


def test_a_cached_page_shows_nothing_of_the_parameters_it_ignores(client, linxia):
    first = client.get(f"{linxia.current_url}?nocache=secret-1")
    assert "secret-1" not in first.content.decode()  # the language switch's next= too
    second = client.get(f"{linxia.current_url}?nocache=secret-2")
    assert second["X-Cache"] == "hit" and second.content == first.content


def test_the_api_list_links_its_next_page_with_the_parameters_it_reads(client, monkeypatch):
    from disclosures.site import api

    monkeypatch.setattr(api, "PAGE_SIZE", 1)  # two published disclosures: two pages
    listed = client.get("/api/disclosures/?nocache=7&kind=budget").json()
    assert listed["next"] == "http://testserver/api/disclosures/?kind=budget&page=2"


def cached_views() -> list[URLPattern]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                yield pattern
            else:
                yield from walk(pattern.url_patterns)

    return [p for p in walk(get_resolver().url_patterns) if hasattr(p.callback, "query_params")]


def test_every_cached_page_declares_the_parameters_it_reads():
    declared = {p.name: p.callback.query_params for p in cached_views()}
    assert declared["search"] == ("q",)
    assert declared["region-compare"] == ("sort", "order")
    listing = {"year", "region", "department", "kind", "revisions", "page"}
    assert set(declared["api-disclosures"]) == listing
    assert declared["disclosure"] == declared["home"] == ()
    pages = {
        "home",
        "region",
        "region-year",
        "department",
        "department-compare",
        "revision",
        "json",
        "csv",
        "api",
        "api-regions",
        "api-region",
        "api-department",
        "api-disclosure",
        "api-table",
        "api-findings",
    }
    assert pages <= set(declared)
