"""The read-only JSON API: regions, departments, published disclosures, their tables and
findings. The OpenAPI schema below is the contract; /api/ renders it for people."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET

from disclosures.checks import Facts, Severity, run_checks
from disclosures.models import ComparisonItem, Department, Disclosure, Layout, Passage, Region
from disclosures.rendering.dump import disclosure_document
from disclosures.site import queries
from disclosures.site.cache import cached_page
from disclosures.specs import statutory_table

PAGE_SIZE = 100
YEARS = (1949, 9999)
PAGES = (1, 100_000)  # ten million disclosures


def _json(request: HttpRequest, data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Access-Control-Allow-Origin"] = "*"  # public data, read-only
    return response


NOT_FOUND = "不存在或未公开"


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 404 as JSON, as the schema says, not the site's HTML page: a script reading the
    API gets {"error": …} from every operation. Drafts and unknown ids read the same."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _json(request, {"error": NOT_FOUND}, status=404)

    return wrapper


def _url(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _disclosure_summary(request: HttpRequest, d: Disclosure) -> dict[str, Any]:
    d.show_printed_names()  # a revision is named as it was published, in lists too
    stored = getattr(d, "pdf", None)
    return {
        "id": d.pk,
        "department": {"id": d.department_id, "name": d.department.name},
        "region_code": d.department.region.code,
        "fiscal_year": d.fiscal_year,
        "kind": d.kind,
        "revision": d.revision,
        "published_at": d.published_at.isoformat() if d.published_at else None,
        "correction_note": d.correction_note,
        "url": _url(request, d.get_absolute_url()),
        "api_url": _url(request, f"/api/disclosures/{d.pk}/"),
        "json_url": _url(request, d.json_url),
        "xlsx_url": _url(request, d.workbook_url),
        "pdf": stored
        and {"url": _url(request, d.pdf_url), "sha256": stored.sha256, "bytes": stored.size},
    }


def _published(pk: int) -> Disclosure:
    return get_object_or_404(Disclosure.objects.published().with_contents(), pk=pk)


@require_GET
@cached_page()
def regions(request: HttpRequest) -> JsonResponse:
    data = [
        {
            "code": r.code,
            "name": r.name,
            "parent": r.parent.code if r.parent else None,
            "api_url": _url(request, f"/api/regions/{r.code}/"),
            "url": _url(request, r.get_absolute_url()),
        }
        for r in Region.objects.select_related("parent").order_by("code")
    ]
    return _json(request, {"regions": data})


@require_GET
@json_errors
@cached_page()
def region(request: HttpRequest, code: str) -> JsonResponse:
    found = get_object_or_404(Region.objects.select_related("parent"), code=code)
    departments = Department.objects.filter(region__in=queries.region_and_below(found))
    return _json(
        request,
        {
            "code": found.code,
            "name": found.name,
            "parent": found.parent.code if found.parent else None,
            "departments": [
                {
                    "id": d.pk,
                    "name": d.name,
                    "code": d.code,
                    "api_url": _url(request, f"/api/departments/{d.pk}/"),
                }
                for d in departments
            ],
        },
    )


@require_GET
@json_errors
@cached_page()
def department(request: HttpRequest, pk: int) -> JsonResponse:
    found = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    revisions = (
        Disclosure.objects.published()
        .filter(department=found)
        .select_related("department__region", "pdf")
        .order_by("-fiscal_year", "kind", "-revision")
    )
    return _json(
        request,
        {
            "id": found.pk,
            "name": found.name,
            "code": found.code,
            "region_code": found.region.code,
            "url": _url(request, found.get_absolute_url()),
            "disclosures": [_disclosure_summary(request, d) for d in revisions],
        },
    )


LIST_PARAMETERS = ("year", "region", "department", "kind", "revisions", "page")


@require_GET
@json_errors
@cached_page(params=LIST_PARAMETERS)
def disclosures(request: HttpRequest) -> JsonResponse:
    """Current published revisions (all revisions with ?revisions=all), filtered, paged."""
    try:
        asked = ListQuery.read(request.GET)
    except BadParameter as error:
        return _json(request, {"error": str(error)}, status=400)
    found = (
        Disclosure.objects.published().select_related("department__region", "pdf")
        if asked.revisions == "all"
        else queries.public_disclosures()
    )
    if asked.year is not None:
        found = found.filter(fiscal_year=asked.year)
    if asked.department is not None:
        found = found.filter(department=asked.department)
    if asked.region:
        region = get_object_or_404(Region, code=asked.region)
        found = found.filter(department__region__in=queries.region_and_below(region))
    if asked.kind:
        found = found.filter(kind=asked.kind)
    found = found.order_by("-fiscal_year", "department__name", "kind", "-revision")
    count = found.count()
    page = asked.page
    items = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    query = request.GET.copy()  # the declared parameters only (cached_page)
    query["page"] = page + 1
    return _json(
        request,
        {
            "count": count,
            "page": page,
            "next": _url(request, f"?{query.urlencode()}") if page * PAGE_SIZE < count else None,
            "results": [_disclosure_summary(request, d) for d in items],
        },
    )


# Reading the query ------------------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter the API cannot read, in words for the caller."""


@dataclass(frozen=True)
class ListQuery:
    """The disclosure list's parameters, read strictly: a value that is not what the
    schema says is a 400 naming the parameter, never a guess or a server error."""

    year: int | None
    region: str
    department: int | None
    kind: str
    revisions: str
    page: int

    @classmethod
    def read(cls, query: QueryDict) -> "ListQuery":
        return cls(
            year=_number(query, "year", *YEARS, f"year 须为 {YEARS[0]} 至 {YEARS[1]} 的年度"),
            region=query.get("region", "").strip(),
            department=_number(
                query, "department", 1, queries.LARGEST_ID, "department 须为部门编号"
            ),
            kind=_choice(query, "kind", Disclosure.Kind.values, "kind 须为 budget 或 final"),
            revisions=_choice(query, "revisions", ["all"], "revisions 须为 all 或留空"),
            page=_number(query, "page", *PAGES, f"page 须为 {PAGES[0]} 至 {PAGES[1]} 的整数") or 1,
        )


def _number(query: QueryDict, name: str, low: int, high: int, problem: str) -> int | None:
    value = query.get(name, "").strip()
    if not value:
        return None
    # Any script's decimal digits (全角 １２ too); bounded before int() reads them.
    if len(value) > len(str(high)) or not value.isdecimal() or not low <= int(value) <= high:
        raise BadParameter(problem)
    return int(value)


def _choice(query: QueryDict, name: str, allowed: list[str], problem: str) -> str:
    value = query.get(name, "").strip()
    if value and value not in allowed:
        raise BadParameter(problem)
    return value


@require_GET
@json_errors
@cached_page()
def disclosure(request: HttpRequest, pk: int) -> JsonResponse:
    found = _published(pk)
    document = disclosure_document(found)
    return _json(request, {**_disclosure_summary(request, found), "document": document})


@require_GET
@json_errors
@cached_page()
def table(request: HttpRequest, pk: int, key: str) -> JsonResponse:
    rendered = statutory_table(_published(pk), key)
    if rendered is None:
        raise Http404("no such table")
    return _json(request, rendered.as_dict())


@require_GET
@json_errors
@cached_page()
def findings(request: HttpRequest, pk: int) -> JsonResponse:
    data = [finding.as_dict() for finding in run_checks(Facts.of(_published(pk)))]
    return _json(request, {"disclosure": pk, "findings": data})


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return _json(request, schema(request.build_absolute_uri("/")))


@require_GET
@cached_page()
def index(request: HttpRequest) -> HttpResponse:
    """The API for people: every path of the schema with its parameters and an example."""
    spec = schema(request.build_absolute_uri("/"))
    sample = queries.public_disclosures().order_by("pk").first()
    operations = [
        {"path": path, **operation["get"], "example": _example(path, sample)}
        for path, operation in spec["paths"].items()
    ]
    return render(request, "public/api.html", {"spec": spec, "operations": operations})


# The contract -------------------------------------------------------------------------


def _example(path: str, sample: Disclosure | None) -> str | None:
    """The path filled in with a published disclosure, so the page's examples work."""
    if "{" not in path:
        return path
    if sample is None:
        return None
    if path.startswith("/api/departments/"):
        return path.replace("{id}", str(sample.department_id))
    return (
        path.replace("{code}", sample.department.region.code)
        .replace("{id}", str(sample.pk))
        .replace("{key}", "general_expense")
    )


def _parameter(
    name: str, where: str, description: str, kind: str = "string", **schema: Any
) -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": {"type": kind, **schema},
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
URI = {"type": "string", "format": "uri"}
DATE = {"type": ["string", "null"], "format": "date"}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
DECIMAL = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "两位小数，如 990.07"}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict:
    """An object with these properties, each always present except those named optional."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _json_content(ref: str) -> dict:
    return {"application/json": {"schema": _ref(ref)}}


def _operation(
    summary: str, description: str, parameters=(), *, ref: str, not_found: str = ""
) -> dict:
    """A GET whose 200 answers `ref`; a 404 where something asked for may not exist
    (`not_found` says when); a 400 where it reads query parameters."""
    responses = {"200": {"description": "成功", "content": _json_content(ref)}}
    if any(parameter["in"] == "query" for parameter in parameters):
        responses["400"] = {"description": "参数有误", "content": _json_content("Error")}
    if not_found:
        responses["404"] = {"description": not_found, "content": _json_content("Error")}
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def _components() -> dict[str, dict]:
    """The response bodies. Every key a response carries is listed here, and every
    listed key is present unless named optional (tests/test_openapi.py checks both)."""
    summary = {
        "id": INTEGER,
        "department": _object({"id": INTEGER, "name": STRING}),
        "region_code": {"type": "string", "description": "行政区划代码"},
        "fiscal_year": INTEGER,
        "kind": {"type": "string", "enum": list(Disclosure.Kind.values)},
        "revision": {"type": "integer", "description": "版本，首次公开为 1，每次更正加 1"},
        "published_at": DATE_TIME,
        "correction_note": STRING,
        "url": URI,
        "api_url": URI,
        "json_url": {**URI, "description": "完整内容的 JSON 下载，即 document"},
        "xlsx_url": {**URI, "description": "Excel 工作簿：各表按公开表样式排版，金额为数值"},
        "pdf": _or_null(_object({"url": URI, "sha256": STRING, "bytes": INTEGER})),
    }
    comparison = {
        "item": {"type": "string", "enum": list(ComparisonItem.values)},
        "subject_code": {"type": "string", "description": "功能分类科目（类），仅按类比较时"},
    }
    document = {
        "department": STRING,
        "region": {"type": "string", "description": "行政区划全称"},
        "region_code": STRING,
        "units": _array(_object({"name": STRING, "is_headquarters": {"type": "boolean"}})),
        "fiscal_year": INTEGER,
        "kind": {"type": "string", "enum": list(Disclosure.Kind.values)},
        "kind_display": STRING,
        "revision": INTEGER,
        "status": {"type": "string", "enum": list(Disclosure.Status.values)},
        "layout": {"type": "string", "enum": list(Layout.values)},
        "title": STRING,
        "approved_on": {**DATE, "description": "批复日期"},
        "signed_on": DATE,
        "published_at": DATE_TIME,
        "correction_note": STRING,
        "passages": _array(
            _object(
                {
                    "section": {"type": "string", "enum": list(Passage.Section.values)},
                    "title": STRING,
                    "text": STRING,
                }
            )
        ),
        "narrative": {**_array(STRING), "description": "情况说明，逐段"},
        "findings": _array(_ref("Finding")),
        "prior_year_figures": _array(_object({**comparison, "amount": DECIMAL})),
        "change_reasons": _array(_object({**comparison, "text": STRING})),
        "procurement": _or_null(
            _object(
                dict.fromkeys(
                    ("total", "goods", "works", "services", "sme_reserved", "micro_reserved"),
                    DECIMAL,
                )
            )
        ),
        "assets": _or_null(
            _object(
                {
                    "fixed_assets": DECIMAL,
                    "office_space_area": {**DECIMAL, "description": "平方米"},
                    "office_space_value": DECIMAL,
                    "vehicle_count": INTEGER,
                    "vehicle_value": DECIMAL,
                    "large_equipment_value": DECIMAL,
                    "planned_purchases": DECIMAL,
                }
            )
        ),
        "tables": _array(_ref("Table")),
        "performance": _object(
            {
                "department_form": _or_null(_ref("Table")),
                "project_forms": _array(_ref("Table")),
                "project_list": _or_null(_ref("Table")),
                "key_projects": _array(
                    _object(
                        {
                            **dict.fromkeys(
                                (
                                    "name",
                                    "overview",
                                    "basis",
                                    "implementer",
                                    "plan",
                                    "expected_goal",
                                ),
                                STRING,
                            ),
                            "start_date": DATE,
                            "end_date": DATE,
                            "annual_budget": DECIMAL,
                        }
                    )
                ),
            }
        ),
    }
    return {
        "Error": _object({"error": {"type": "string", "description": "哪里有误，中文"}}),
        "Region": _object(
            {
                "code": STRING,
                "name": STRING,
                "parent": {"type": ["string", "null"], "description": "上级区划代码"},
                "api_url": URI,
                "url": URI,
            }
        ),
        "RegionList": _object({"regions": _array(_ref("Region"))}),
        "RegionDepartments": _object(
            {
                "code": STRING,
                "name": STRING,
                "parent": {"type": ["string", "null"]},
                "departments": _array(
                    _object({"id": INTEGER, "name": STRING, "code": STRING, "api_url": URI})
                ),
            }
        ),
        "Department": _object(
            {
                "id": INTEGER,
                "name": STRING,
                "code": STRING,
                "region_code": STRING,
                "url": URI,
                "disclosures": _array(_ref("DisclosureSummary")),
            }
        ),
        "DisclosureSummary": _object(summary),
        "DisclosureList": _object(
            {
                "count": INTEGER,
                "page": INTEGER,
                "next": {"type": ["string", "null"], "format": "uri"},
                "results": _array(_ref("DisclosureSummary")),
            }
        ),
        "Disclosure": _object({**summary, "document": _ref("Document")}),
        "Document": _object(document),
        "Cell": _object({"text": STRING, "colspan": INTEGER, "rowspan": INTEGER}),
        "Table": _object(
            {
                "number": {"type": ["integer", "null"], "description": "表号，绩效目标表无"},
                "key": STRING,
                "title": STRING,
                "heading": STRING,
                "subtitle": STRING,
                "captions": {**_array(STRING), "description": "表上方的行，如单位名称、单位"},
                "header": _array(_array(_ref("Cell"))),
                "rows": _array(_array(STRING)),
                "cells": {
                    **_array(_array(_ref("Cell"))),
                    "description": "仅表体有合并单元格时（绩效目标表）：与 rows 同，含跨行跨列",
                },
                "note": STRING,
                "explanation": STRING,
            },
            optional=("cells",),
        ),
        "Finding": _object(
            {
                "code": STRING,
                "severity": {"type": "string", "enum": list(Severity.values)},
                "table": STRING,
                "location": STRING,
                "table_key": {"type": "string", "description": "所指的表（spec 键），空为整体"},
                "row_key": {"type": "string", "description": "所指的行，空为整表"},
                "column_key": {"type": "string", "description": "所指的列，空为整行"},
                "expected": STRING,
                "found": STRING,
                "message": STRING,
                "acknowledged": {"type": "string", "description": "警告的确认理由，未确认为空"},
            },
        ),
        "FindingList": _object({"disclosure": INTEGER, "findings": _array(_ref("Finding"))}),
    }


def schema(server: str) -> dict:
    disclosure_id = _parameter("id", "path", "公开版本的编号", "integer")
    no_disclosure = "没有这个编号的公开版本，或尚未公开"
    with translation.override("zh-hans"):
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "部门预算公开平台 API",
                "version": "1",
                "description": (
                    "只读接口，只提供已公开的版本。金额单位为万元，以字符串给出两位小数，"
                    "与公开表所印一致。"
                ),
            },
            "servers": [{"url": server.rstrip("/")}],
            "paths": {
                "/api/regions/": _operation("行政区划", "全部行政区划及其上级。", ref="RegionList"),
                "/api/regions/{code}/": _operation(
                    "一个行政区划的部门",
                    "该区划及下级区划的全部部门。",
                    [_parameter("code", "path", "行政区划代码，如 622901")],
                    ref="RegionDepartments",
                    not_found="没有这个行政区划代码",
                ),
                "/api/departments/{id}/": _operation(
                    "一个部门",
                    "部门及其全部已公开版本，新年度在前。",
                    [_parameter("id", "path", "部门编号", "integer")],
                    ref="Department",
                    not_found="没有这个编号的部门",
                ),
                "/api/disclosures/": _operation(
                    "已公开的部门预算",
                    f"各部门各年度的现行版本，每页 {PAGE_SIZE} 条。",
                    [
                        _parameter(
                            "year", "query", "年度", "integer", minimum=YEARS[0], maximum=YEARS[1]
                        ),
                        _parameter("region", "query", "行政区划代码（含下级）"),
                        _parameter(
                            "department",
                            "query",
                            "部门编号",
                            "integer",
                            minimum=1,
                            maximum=queries.LARGEST_ID,
                        ),
                        _parameter(
                            "kind",
                            "query",
                            "budget（预算）或 final（决算）",
                            enum=list(Disclosure.Kind.values),
                        ),
                        _parameter("revisions", "query", "all：含已被更正的旧版本", enum=["all"]),
                        _parameter(
                            "page",
                            "query",
                            "页码，从 1 起",
                            "integer",
                            minimum=PAGES[0],
                            maximum=PAGES[1],
                        ),
                    ],
                    ref="DisclosureList",
                    not_found="region 所指的行政区划不存在",
                ),
                "/api/disclosures/{id}/": _operation(
                    "一个公开版本",
                    "情况说明、十一张公开表、绩效目标表和检查结果，与 PDF 同源。",
                    [disclosure_id],
                    ref="Disclosure",
                    not_found=no_disclosure,
                ),
                "/api/disclosures/{id}/tables/{key}/": _operation(
                    "一张公开表",
                    "表头（含合并单元格）与各行，文字与公开表所印一致。",
                    [
                        disclosure_id,
                        _parameter(
                            "key",
                            "path",
                            "表的标识，如 department_summary、general_expense、three_public",
                        ),
                    ],
                    ref="Table",
                    not_found=f"{no_disclosure}；或该版本不公开这张表",
                ),
                "/api/disclosures/{id}/findings/": _operation(
                    "检查结果",
                    "勾稽关系等自动检查发现的问题，及部门对警告的说明。",
                    [disclosure_id],
                    ref="FindingList",
                    not_found=no_disclosure,
                ),
            },
            "components": {"schemas": _components()},
        }
