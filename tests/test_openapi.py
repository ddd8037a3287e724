"""Every API response is what /api/openapi.json says, as zulip checks its own API: each path
of the served schema is requested against the demo data, for every status it documents,
and each body is validated against that operation's schema for that status — with no key
the schema does not name, and every key it requires."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from disclosures.models import Department, Disclosure, TableKey
from disclosures.site import api
from disclosures.specs.layouts import LAYOUTS

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
SCHEMA_URI = "urn:budgetportal:openapi"
# Under /api/ but not operations: the page for people, and the schema itself.
NOT_OPERATIONS = {"api/", "api/openapi.json"}
SEGMENT = re.compile(r"<(?:\w+:)?(\w+)>")
PATH_PARAMETER = {"pk": "id"}  # the URLconf's name → the schema's


def strict(node):
    """The schema with additionalProperties: false on every object that lists its
    properties, so a response key the schema does not document fails validation."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


class Contract:
    """The served schema, validating response bodies by path and status."""

    def __init__(self, schema: dict):
        self.schema = schema
        resource = Resource(contents=strict(schema), specification=DRAFT202012)
        self.registry = Registry().with_resource(SCHEMA_URI, resource)

    def responses(self, path: str) -> dict:
        return self.schema["paths"][path]["get"]["responses"]

    def validator(self, path: str, status: int) -> OAS31Validator:
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in (
                "paths",
                path,
                "get",
                "responses",
                str(status),
                "content",
                "application/json",
                "schema",
            )
        )
        return OAS31Validator(
            {"$ref": f"{SCHEMA_URI}#/{quote(pointer, safe='/~')}"},
            registry=self.registry,
            format_checker=OAS31Validator.FORMAT_CHECKER,
        )

    def validate(self, path: str, status: int, body) -> None:
        errors = [
            f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in self.validator(path, status).iter_errors(body)
        ]
        assert not errors, (path, status, errors[:10])


@pytest.fixture
def contract(client) -> Contract:
    return Contract(client.get("/api/openapi.json").json())


@dataclass(frozen=True)
class Demo:
    linxia: Disclosure  # the gansu-11 layout: eleven tables, forms, narrative
    zengcheng: Disclosure  # performance forms only
    draft: Disclosure  # never published
    unpublished: Department  # a department with nothing published


@pytest.fixture
def demo() -> Demo:
    linxia = Disclosure.objects.get(department__name=LINXIA, revision=1)
    unpublished = Department.objects.create(region=linxia.department.region, name="未公开局")
    return Demo(
        linxia=linxia,
        zengcheng=Disclosure.objects.get(department__name=ZENGCHENG),
        draft=Disclosure.objects.create(department=linxia.department, fiscal_year=2025),
        unpublished=unpublished,
    )


NOWHERE = 2**62  # an id nothing has
# Per path of the schema: the requests made against the demo, as (URL, expected status).
REQUESTS: dict[str, Callable[[Demo], list[tuple[str, int]]]] = {
    "/api/regions/": lambda d: [("/api/regions/", 200)],
    "/api/regions/{code}/": lambda d: [
        ("/api/regions/622901/", 200),
        ("/api/regions/622900/", 200),  # 临夏州: its own departments and those below
        ("/api/regions/999999/", 404),
    ],
    "/api/departments/{id}/": lambda d: [
        (f"/api/departments/{d.linxia.department_id}/", 200),
        (f"/api/departments/{d.unpublished.pk}/", 200),
        (f"/api/departments/{NOWHERE}/", 404),
    ],
    "/api/disclosures/": lambda d: [
        ("/api/disclosures/", 200),
        ("/api/disclosures/?page=2", 200),
        ("/api/disclosures/?year=2024&region=622900&kind=budget", 200),
        (f"/api/disclosures/?revisions=all&department={d.linxia.department_id}", 200),
        ("/api/disclosures/?year=abc", 400),
        ("/api/disclosures/?department=0", 400),
        ("/api/disclosures/?kind=budgets", 400),
        ("/api/disclosures/?revisions=some", 400),
        ("/api/disclosures/?page=0", 400),
        ("/api/disclosures/?region=999999", 404),
    ],
    "/api/disclosures/{id}/": lambda d: [
        (f"/api/disclosures/{d.linxia.pk}/", 200),
        (f"/api/disclosures/{d.zengcheng.pk}/", 200),
        (f"/api/disclosures/{d.draft.pk}/", 404),
        (f"/api/disclosures/{NOWHERE}/", 404),
    ],
    "/api/disclosures/{id}/tables/{key}/": lambda d: [
        *(
            (f"/api/disclosures/{d.linxia.pk}/tables/{key}/", 200)
            for key in LAYOUTS[d.linxia.layout]
        ),
        (f"/api/disclosures/{d.linxia.pk}/tables/nope/", 404),
        (f"/api/disclosures/{d.zengcheng.pk}/tables/{TableKey.GENERAL_EXPENSE}/", 404),
        (f"/api/disclosures/{d.draft.pk}/tables/{TableKey.GENERAL_EXPENSE}/", 404),
    ],
    "/api/disclosures/{id}/findings/": lambda d: [
        (f"/api/disclosures/{d.linxia.pk}/findings/", 200),
        (f"/api/disclosures/{d.zengcheng.pk}/findings/", 200),
        (f"/api/disclosures/{d.draft.pk}/findings/", 404),
    ],
}


@pytest.mark.parametrize("path", REQUESTS)
def test_every_response_matches_the_schema(client, contract, demo, monkeypatch, path):
    # One disclosure a page, so the demo's two fill two pages and "next" is a link.
    monkeypatch.setattr(api, "PAGE_SIZE", 1)
    requests = REQUESTS[path](demo)
    assert {str(status) for _url, status in requests} == set(contract.responses(path)), (
        "every documented status is requested, and only those"
    )
    for url, status in requests:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert response["Content-Type"] == "application/json", url
        contract.validate(path, status, response.json())


def test_the_list_pages_with_a_next_link_the_schema_accepts(client, contract, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 1)
    first = client.get("/api/disclosures/").json()
    assert first["count"] > 1 and first["next"] == "http://testserver/api/disclosures/?page=2"
    contract.validate("/api/disclosures/", 200, first)


def test_the_validated_document_holds_every_optional_part(client, demo):
    """What the schema marks optional or nullable is there in the demo, so validating the
    demo's responses checked those parts too: the forms' "cells" (rows with their spans),
    procurement, assets, findings."""
    document = client.get(f"/api/disclosures/{demo.linxia.pk}/").json()["document"]
    assert "cells" in document["performance"]["department_form"]
    assert document["procurement"] and document["assets"] and document["findings"]


def test_the_validator_refuses_an_undocumented_or_missing_key(contract):
    """The check above can fail: a key the schema does not list, or one it requires."""
    region = {
        "code": "622901",
        "name": "临夏市",
        "parent": "622900",
        "api_url": "http://testserver/api/regions/622901/",
        "url": "http://testserver/regions/622901/",
    }
    contract.validate("/api/regions/", 200, {"regions": [region]})
    with pytest.raises(AssertionError, match="Additional properties"):
        contract.validate("/api/regions/", 200, {"regions": [{**region, "extra": 1}]})
    with pytest.raises(AssertionError, match="'url' is a required property"):
        contract.validate(
            "/api/regions/", 200, {"regions": [{k: v for k, v in region.items() if k != "url"}]}
        )
    with pytest.raises(AssertionError, match="is not a 'uri'"):
        contract.validate("/api/regions/", 200, {"regions": [{**region, "url": "not a uri"}]})


def api_routes() -> set[str]:
    """Every URL pattern under /api/, written as the schema writes paths."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return {
        "/" + SEGMENT.sub(lambda m: "{" + PATH_PARAMETER.get(m[1], m[1]) + "}", route)
        for route in walk(get_resolver().url_patterns)
        if route.startswith("api/") and route not in NOT_OPERATIONS
    }


def test_every_api_url_is_in_the_schema_and_tested(contract):
    """A new endpoint without a schema, or without requests here, fails."""
    assert api_routes() == set(contract.schema["paths"]) == set(REQUESTS)
