"""Flat import and export of a disclosure's rows, one file per kind of row (CSV or XLSX).

Every statutory table's rows, the projects, their indicators, the department form and its
indicators, each through a django-import-export resource generated from its model. A row
names its disclosure by natural keys (行政区划代码, 部门名称, 年度, 类别, 版本), never by a
database id, and is identified within it by its 行次 (序号); a unit by its name within the
department, a project by its name, a subject by its code, checked against the catalogue of
the year. Headers are the fields' Chinese verbose names whatever the language of the page,
so a file exported in one language imports in the other.

An import is all or nothing: it runs in one transaction, and a single bad row, a frozen
disclosure or one the user may not edit, leaves the database as it was. Each disclosure
it writes to is saved as every draft is (disclosures/drafts.py): locked before its first
row is written, then its codes checked and its version raised; its totals stay as the
file gives them, for the checks to judge.

No cell is ever a live formula: every text column (names of departments, units and
projects included) goes through `inert`, and the import takes its apostrophe off again.
django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off: it deletes
the "=" (the text cannot come back), ignores + - @, and turns every cell, amounts too,
into text.
"""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import translation
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import CSV

from disclosures import drafts, money
from disclosures.models import (
    Department,
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    Project,
    ProjectIndicator,
    Region,
    Unit,
)
from disclosures.models.fields import MoneyField
from disclosures.models.tables import TABLE_MODELS
from disclosures.rendering.exports import inert, restored
from disclosures.subjects import Catalogue
from disclosures.workbook import cells

# Stored amounts fit 18 digits with 6 decimals (disclosures/money.py).


def column(model: type[models.Model], name: str) -> str:
    """A field's header: its verbose name as the model writes it, in Chinese."""
    with translation.override("zh-hans"):
        return str(model._meta.get_field(name).verbose_name)


REGION = column(Region, "code")
DEPARTMENT = column(Department, "name")
YEAR = column(Disclosure, "fiscal_year")
KIND = column(Disclosure, "kind")
REVISION = column(Disclosure, "revision")
KEY_COLUMNS = (REGION, DEPARTMENT, YEAR, KIND, REVISION)
# The same natural key, as paths from the disclosure.
DISCLOSURE_KEY = ("department__region__code", "department__name", "fiscal_year", "kind", "revision")


def text(value) -> str:
    """A cell as text: blank for an empty cell; 2010101, not 2010101.0, for a code that
    a spreadsheet stored as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class TextWidget(widgets.CharWidget):
    """Text as it is, except that a text a spreadsheet would run as a formula (= + - @,
    tab, carriage return) is exported with a leading apostrophe, which an import takes off
    again."""

    def clean(self, value, row=None, **kwargs) -> str:
        return restored(text(value))

    def render(self, value, obj=None, **kwargs) -> str:
        return inert(text(value))


class WholeNumberWidget(widgets.IntegerWidget):
    """行次, 序号, 年度, 版本."""

    def clean(self, value, row=None, **kwargs) -> int:
        number = text(value).strip()
        if not number.isdigit():
            raise ValueError(f"“{number}”不是整数。" if number else "不能为空。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value if kwargs.get("force_native_type") or value is None else str(value)


class MoneyWidget(widgets.DecimalWidget):
    """An amount in 万元 as a Decimal: a blank cell is zero; negative amounts and amounts
    finer than 0.01 are refused. Exported as a number to XLSX, as text to CSV."""

    def clean(self, value, row=None, **kwargs) -> Decimal:
        # The same reading as the statutory workbook's (full-width digits, separators,
        # Excel's float noise), and the same refusals.
        try:
            return cells.amount(value)
        except cells.NotAnAmount as error:
            raise ValueError(f"{error}。") from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # 697.070000 is stored for 697.07; anything finer is shown as it is, not rounded.
        amount = value.quantize(money.CENT) if value == value.quantize(money.CENT) else value
        return amount if kwargs.get("force_native_type") else f"{amount:f}"


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (部门预算) in both directions; the stored value
    (budget) is accepted too."""

    def __init__(self, field: models.Field):
        super().__init__()
        with translation.override("zh-hans"):
            self.labels = {value: str(label) for value, label in field.choices}
        self.values = {label: value for value, label in self.labels.items()}
        if field.blank:
            self.values[""] = ""

    def clean(self, value, row=None, **kwargs) -> str:
        choice = text(value).strip()
        if choice in self.labels:
            return choice
        if choice in self.values:
            return self.values[choice]
        allowed = "、".join(label for label in self.values if label)
        raise ValueError(f"“{choice}”不是可填的值（可填：{allowed}）。")

    def render(self, value, obj=None, **kwargs) -> str:
        return self.labels.get(value, value or "")


KIND_WIDGET = ChoiceWidget(Disclosure._meta.get_field("kind"))


class SubjectCodeWidget(TextWidget):
    """A classification code; it must be in the catalogue (of `kind`) of the row's year,
    refused here so that the message names the file's line. A blank code is the 总计 row
    (or, in tables 1, 2 and 4, a row that is not a function 类)."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind
        self.catalogues: dict[int, Catalogue] = {}

    def clean(self, value, row=None, **kwargs) -> str:
        code = text(value).strip()
        if not code:
            return ""
        year = WholeNumberWidget().clean(row.get(YEAR))
        if year not in self.catalogues:
            self.catalogues[year] = Catalogue.of(self.kind, year)
        problem = self.catalogues[year].problem(code)
        if problem:
            raise ValueError(problem)
        return code


class DisclosureWidget(widgets.ForeignKeyWidget):
    """The disclosure a row belongs to, by the natural key in its five key columns; it sits
    in the 部门名称 column. With `model=DepartmentPerformanceForm`, that disclosure's
    department form (there is one per disclosure).

    Only drafts are written to, and, when a user imports, only drafts they may edit.
    """

    def __init__(self, model: type[models.Model] = Disclosure):
        super().__init__(model)
        self.found: dict[tuple, Disclosure] = {}

    def clean(self, value, row=None, user=None, **kwargs):
        disclosure = self.disclosure(row)
        if user is not None and not visible(user, disclosure):
            # Outside a clerk's departments a disclosure does not exist, as in the admin.
            raise missing(
                disclosure.department, disclosure.fiscal_year, disclosure.kind, disclosure.revision
            )
        # Asked here, before anything is written, so that the refusal names the line.
        reason = drafts.refusal(disclosure, user)
        if reason is not None:
            raise ValueError(reason)
        if self.model is DepartmentPerformanceForm:
            try:
                return disclosure.department_form
            except ObjectDoesNotExist:
                raise ValueError(f"“{disclosure}”没有部门整体支出绩效目标表。") from None
        return disclosure

    def render(self, value, obj=None, **kwargs) -> str:
        disclosure = value.disclosure if isinstance(value, DepartmentPerformanceForm) else value
        return inert(disclosure.department.name)

    def disclosure(self, row) -> Disclosure:
        region, name = key_value(row, REGION), key_value(row, DEPARTMENT)
        year = key_value(row, YEAR, WholeNumberWidget())
        kind = key_value(row, KIND, KIND_WIDGET)
        revision = key_value(row, REVISION, WholeNumberWidget())
        key = (region, name, year, kind, revision)
        if key not in self.found:
            try:
                department = Department.objects.get_by_natural_key(region, name)
            except Department.DoesNotExist:
                raise ValueError(f"行政区划 {region} 下没有部门“{name}”。") from None
            disclosure = department.disclosures.filter(
                fiscal_year=year, kind=kind, revision=revision
            ).first()
            if disclosure is None:
                raise missing(department, year, kind, revision)
            self.found[key] = disclosure
        return self.found[key]


def visible(user, disclosure: Disclosure) -> bool:
    return Disclosure.objects.for_user(user).filter(pk=disclosure.pk).exists()


def key_value(row, name: str, widget: widgets.Widget | None = None):
    """One column of the disclosure's natural key; none may be blank."""
    value = restored(text(row.get(name)).strip())
    if not value:
        raise ValueError(f"{name}为空。")
    try:
        return widget.clean(value) if widget else value
    except ValueError as error:
        raise ValueError(f"{name}{error}") from None


def missing(department: Department, year: int, kind: str, revision: int) -> ValueError:
    kind_label = KIND_WIDGET.render(kind)
    return ValueError(f"“{department}”没有 {year} 年{kind_label}第 {revision} 版。")


class UnitWidget(widgets.ForeignKeyWidget):
    """A budget unit by its name within the department of the row's disclosure."""

    def __init__(self):
        super().__init__(Unit, field="name")

    def clean(self, value, row=None, **kwargs) -> Unit | None:
        name = restored(text(value).strip())
        if not name:
            return None
        region, department = key_value(row, REGION), key_value(row, DEPARTMENT)
        try:
            return Unit.objects.get_by_natural_key(region, department, name)
        except Unit.DoesNotExist:
            raise ValueError(f"部门“{department}”没有预算单位“{name}”。") from None

    def render(self, value, obj=None, **kwargs) -> str:
        return inert(value.name) if value else ""


class ProjectWidget(widgets.ForeignKeyWidget):
    """A project by its name within the row's disclosure."""

    def __init__(self):
        super().__init__(Project, field="name")
        self.disclosures = DisclosureWidget()

    def clean(self, value, row=None, **kwargs) -> Project:
        disclosure = self.disclosures.clean(None, row, **kwargs)
        name = restored(text(value).strip())
        try:
            return Project.objects.get(disclosure=disclosure, name=name)
        except Project.DoesNotExist:
            raise ValueError(f"“{disclosure}”没有项目“{name}”。") from None

    def render(self, value, obj=None, **kwargs) -> str:
        return inert(value.name) if value else ""


class RowResource(resources.ModelResource):
    """What every generated resource shares: keys checked first, each error located by
    line and column, one transaction per import."""

    # The order rows are exported in: by disclosure, then as printed.
    export_ordering: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The drafts this import writes to, by id, each opened before its first row.
        self.drafts: dict[int, drafts.Draft] = {}

    def import_data(self, dataset, **kwargs):
        headers = dataset.headers or []
        absent = [name for name in (*KEY_COLUMNS, *self.id_columns()) if name not in headers]
        if absent:
            # Every row would fail for it: say it once, and read no row.
            result = self.get_result_class()()
            error = ValueError(f"文件缺少列：{'、'.join(absent)}。")
            result.append_base_error(self.get_error_result_class()(error))
            return result
        # All or nothing, invalid rows included (otherwise the library keeps the valid ones),
        # and every message in Chinese, like the file.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        with translation.override("zh-hans"):
            return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs) -> None:
        # Spreadsheets often end in blank rows; they are rows of nothing.
        while dataset.height and not any(text(value).strip() for value in dataset[-1]):
            dataset.rpop()

    def before_import_row(self, row, **kwargs) -> None:
        """Resolve the row's keys before the library looks the row up, so that an unknown,
        frozen or forbidden disclosure is this row's error, with its line."""
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row, **kwargs)
            except ValueError as error:
                raise ValidationError(located(error, field, kwargs)) from None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs) -> None:
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ValueError as error:
            raise ValueError(located(error, field, kwargs)) from None

    def before_save_instance(self, instance, row, **kwargs) -> None:
        pk = instance.disclosure_id_now()
        if pk not in self.drafts:
            disclosure = Disclosure.objects.get(pk=pk)
            # The file's totals are stored as written; the checks judge them.
            self.drafts[pk] = drafts.open_draft(disclosure, kwargs.get("user"), recompute=False)

    def after_save_instance(self, instance, row, **kwargs) -> None:
        self.drafts[instance.disclosure_id_now()].wrote([instance])

    def after_import(self, dataset, result, **kwargs) -> None:
        super().after_import(dataset, result, **kwargs)
        # Unchanged rows are skipped, not saved: a draft none of whose rows changed is not
        # opened, so its version stays and pages opened before the import stay valid.
        for draft in self.drafts.values():
            draft.save()

    def filter_export(self, queryset, **kwargs):
        model = self._meta.model
        units = [field.name for field in model._meta.fields if field.related_model is Unit]
        return queryset.select_related(
            f"{model.disclosure_lookup}__department__region", *units
        ).order_by(*self.export_ordering)

    def id_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self.get_import_id_fields()]


def located(error: ValueError, field: Field, kwargs: dict) -> str:
    """文件第 3 行，合计：… — the line as a spreadsheet numbers it, the header being line 1."""
    return f"文件第 {kwargs['row_number'] + 1} 行，{field.column_name}：{error}"


def resource_for(model: type[models.Model]) -> type[RowResource]:
    """The resource of one kind of row: the disclosure's natural key, then the model's own
    fields (an indicator's project first, amounts last).

    A row is identified by its disclosure, or its project, and its 行次 or 序号.
    """
    lookup = model.disclosure_lookup
    parent = lookup.split("__")[0]
    parent_model = model._meta.get_field(parent).related_model
    by_project = parent_model is Project

    def key(path: str, name: str, widget: widgets.Widget) -> Field:
        return Field(f"{lookup}__{path}", name, widget, readonly=True)

    fields = {
        "disclosure_region": key("department__region__code", REGION, TextWidget()),
        # The department's name carries the disclosure (or its department form).
        "disclosure": key("department__name", DEPARTMENT, TextWidget())
        if by_project
        else Field(parent, DEPARTMENT, DisclosureWidget(parent_model)),
        "disclosure_year": key("fiscal_year", YEAR, WholeNumberWidget()),
        "disclosure_kind": key("kind", KIND, KIND_WIDGET),
        "disclosure_revision": key("revision", REVISION, WholeNumberWidget()),
    }
    own = sorted(
        (
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and (field.name != parent or by_project)
        ),
        key=lambda field: (field.name != parent, isinstance(field, MoneyField)),
    )
    for field in own:
        fields[field.name] = Field(field.name, column(model, field.name), widget_for(field, model))

    position = ["position"] if "position" in fields else []
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": list(fields),
            "import_id_fields": [parent if by_project else "disclosure", *position],
            "use_transactions": True,
            "skip_unchanged": True,
            "clean_model_instances": True,
        },
    )
    ordering = (
        *(f"{lookup}__{path}" for path in DISCLOSURE_KEY),
        *([f"{parent}__position"] if by_project else []),
        *position,
    )
    return type(
        f"{model.__name__}Resource",
        (RowResource,),
        {"Meta": meta, "export_ordering": ordering, **fields},
    )


def widget_for(field: models.Field, model: type[models.Model]) -> widgets.Widget:
    if isinstance(field, MoneyField):
        return MoneyWidget()
    if field.choices:
        return ChoiceWidget(field)
    if field.name == drafts.code_field(model):
        return SubjectCodeWidget(drafts.catalogue_kind(model))
    if field.related_model is Unit:
        return UnitWidget()
    if field.related_model is Project:
        return ProjectWidget()
    if isinstance(field, models.PositiveSmallIntegerField):
        return WholeNumberWidget()
    return TextWidget()


RESOURCES = {
    model: resource_for(model)
    for model in (
        *TABLE_MODELS.values(),
        DepartmentPerformanceForm,
        DepartmentIndicator,
        Project,
        ProjectIndicator,
    )
}


class FileReadError(ValueError):
    """A file that cannot be read as its format, in words for the clerk."""


class ExcelCSV(CSV):
    """CSV as Excel saves it: UTF-8, with or without the byte order mark, or — from "CSV
    (逗号分隔)" on Chinese Windows, the usual case — GBK, read as GB18030, its superset.
    The file is read as bytes and decoded here, whatever encoding the admin was given."""

    ENCODINGS = ("utf-8-sig", "gb18030")

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decoded(in_stream)
        return super().create_dataset(in_stream, **kwargs)


def decoded(data: bytes) -> str:
    for encoding in ExcelCSV.ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FileReadError("无法读取文件：它不是 UTF-8 或 GBK 编码的 CSV 文本文件。")
