"""No request can make the portal fail: every URL pattern outside the admin, with the demo's
real ids, is asked with hostile values in each path segment and in each query parameter its
view reads (and in parameters it does not read); no answer may be a 5xx. Bad numbers get a
400 (in Chinese JSON from the API), unknown parameters are ignored, and a NUL byte anywhere
in the path, query string or cookies is refused before any view or database sees it."""

import re
from dataclasses import dataclass

import jsonschema
import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, resolve

from disclosures.models import Disclosure
from disclosures.models.table_keys import TableKey

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"

# As they would arrive in a URL: percent-escapes are sent as they are.
HOSTILE = (
    "1" + "0" * 24,  # 10^24: past every integer column
    "100000000000000000000",  # 10^20: past a 64-bit integer
    "9223372036854775808",  # 2^63
    "2147483648",  # 2^31
    "99999",
    "-1",
    "0",
    "abc",
    "1.5",
    "1e3",
    "%EF%BC%91%EF%BC%92",  # １２, full-width digits
    "%D9%A3",  # ٣, an Arabic-Indic digit
    "%00",
    "a%00b",
    "%ff",  # not UTF-8
    "%c3%28",  # not UTF-8
    "%E4%B8%B4" * 3000,  # 临 × 3000
    "x" * 20000,
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%27%20OR%201%3D1%20--",
    "..%2F..%2Fetc%2Fpasswd",
    "%20",
    "",
)
# Every parameter any public view reads, and one none reads.
PARAMETERS = (
    "q", "sort", "order", "year", "department", "page", "region", "kind", "revisions", "next",
    "nocache",
)  # fmt: skip


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str


def patterns() -> list[Pattern]:
    """Every URL pattern of the portal outside the admin (the route matrix covers that)."""

    def walk(found, prefix=""):
        for pattern in found:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield Pattern(pattern.name or "", prefix + str(pattern.pattern))

    return [p for p in walk(get_resolver().url_patterns) if not p.route.startswith("admin/")]


SEGMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def real_values(pattern: Pattern, published: Disclosure) -> dict[str, str]:
    by_disclosure = pattern.route.startswith(("disclosures/", "api/disclosures/", "staff/"))
    return {
        "pk": str(published.pk if by_disclosure else published.department_id),
        "year": str(published.fiscal_year),
        "revision": str(published.revision),
        "key": TableKey.GENERAL_EXPENSE.value,
        "code": "en" if pattern.name == "language" else published.department.region.code,
        "region_code": published.department.region.code,
        # A set-password link (its token is checked, not trusted): the demo's first account.
        "uidb64": "MQ",
        "token": "set-password",
    }


def address(pattern: Pattern, values: dict[str, str]) -> str:
    return "/" + SEGMENT.sub(lambda m: values[m.group(1)], pattern.route)


def addresses(pattern: Pattern, published: Disclosure) -> list[str]:
    """The real address, then each path segment and each parameter made hostile."""
    real = real_values(pattern, published)
    path = address(pattern, real)
    found = [path]
    for segment in SEGMENT.findall(pattern.route):
        found += [address(pattern, {**real, segment: value}) for value in HOSTILE if value]
    view = resolve(path)
    # What a cached page reads is declared (the cache keys on it); other views get them all.
    reads = getattr(view.func, "query_params", PARAMETERS)
    for name in (*reads, "nocache"):
        found += [f"{path}?{name}={value}" for value in HOSTILE]
        found.append(f"{path}?{name}=1&{name}=2&{name}=abc")
    for value in HOSTILE:
        found.append(f"{path}?" + "&".join(f"{name}={value}" for name in PARAMETERS))
    return found


@pytest.fixture
def published():
    return Disclosure.objects.select_related("department__region").get(
        department__name=LINXIA, revision=1
    )


def test_every_pattern_outside_the_admin_is_walked():
    names = {p.name for p in patterns()}
    assert {"home", "search", "region-compare", "api-disclosures", "csv", "final-xlsx"} <= names
    assert len(patterns()) >= 30


@pytest.mark.parametrize("pattern", patterns(), ids=lambda p: p.name or p.route)
def test_no_hostile_address_gets_a_server_error(client, published, pattern):
    for url in addresses(pattern, published):
        response = client.get(url)
        assert response.status_code < 500, (url[:200], response.status_code)
        if response.status_code != 400:
            continue
        if response["Content-Type"].startswith("application/json"):  # the API's own
            error = response.json()["error"]
            assert re.search(r"[\u4e00-\u9fff]", error), (url[:200], error)
        else:  # the portal's page, in the visitor's language: the middleware's NUL,
            # Django's own refusals
            chosen = client.cookies.get(settings.LANGUAGE_COOKIE_NAME)
            english = chosen is not None and chosen.value == "en"
            words = "Bad request" if english else "请求有误"
            assert words in response.content.decode(), url[:200]


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=a%00b",
        "/search/?%00=1",
        "/api/disclosures/?kind=%00",
        "/api/disclosures/?region=%00",
        "/regions/%00/",
        "/api/regions/62%0029/",
        "/departments/1/2024/r1/csv/%00/",
        "/admin/%00/",
        "/static/%00",
    ],
)
def test_a_nul_byte_is_refused_before_any_view(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_a_nul_byte_in_a_cookie_is_refused(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=" + "1" + "0" * 24, "page 须为 1 至 100000 的整数"),
        ("page=0", "page 须为 1 至 100000 的整数"),
        ("page=abc", "page 须为 1 至 100000 的整数"),
        ("department=" + "1" + "0" * 20, "department 须为部门编号"),
        ("year=abc", "year 须为 1949 至 9999 的年度"),
        ("year=1", "year 须为 1949 至 9999 的年度"),
        ("kind=budgets", "kind 须为 budget 或 final"),
        ("revisions=some", "revisions 须为 all 或留空"),
    ],
)
def test_the_api_says_in_chinese_which_parameter_is_wrong(client, query, message):
    response = client.get(f"/api/disclosures/?{query}")
    assert response.status_code == 400
    assert response.json() == {"error": message}
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/disclosures/"]["get"]
    assert "400" in operation["responses"]
    jsonschema.validate(response.json(), schema["components"]["schemas"]["Error"])


def test_the_api_ignores_unknown_parameters_and_pages_within_what_exists(client, published):
    listed = client.get("/api/disclosures/?nocache=1&year=2024").json()
    assert [d["id"] for d in listed["results"]] == [
        d["id"] for d in client.get("/api/disclosures/?year=2024").json()["results"]
    ]
    assert published.pk in [d["id"] for d in listed["results"]]
    assert client.get("/api/disclosures/?page=99999").json()["results"] == []
    unknown = client.get(f"/api/disclosures/?department={2**62}").json()
    assert unknown["count"] == 0
