from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from disclosures.checks import Facts, run_checks
from disclosures.models import Disclosure, Region
from disclosures.rendering.downloads import attachment, file_not_ready, stored_file
from disclosures.rendering.dump import disclosure_document
from disclosures.rendering.pdf import pdf_filename, render_pdf, store_pdf
from disclosures.rendering.stored import FileNotReady
from disclosures.site.bulk import published_zip
from disclosures.specs import performance_forms, statutory_tables


@require_GET
@staff_member_required
def staff_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every table and form of one revision the staff member may see, whatever its status."""
    disclosure = get_object_or_404(Disclosure.objects.for_user(request.user).with_contents(), pk=pk)
    facts = Facts.of(disclosure)
    document = disclosure_document(disclosure, facts)
    context = {
        "disclosure": disclosure,
        "narrative": document["narrative"],
        "findings": run_checks(facts),
        "tables": statutory_tables(disclosure),
        "forms": performance_forms(disclosure),
    }
    return render(request, "disclosures/staff_preview.html", context)


@require_GET
@staff_member_required
def staff_document(request: HttpRequest, pk: int) -> JsonResponse:
    """The same document dump_disclosure prints."""
    disclosure = get_object_or_404(Disclosure.objects.for_user(request.user).with_contents(), pk=pk)
    return JsonResponse(
        disclosure_document(disclosure), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )


@require_GET
def disclosure_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF of a published revision, with its SHA-256 as ETag; never re-rendered."""
    disclosure = get_object_or_404(
        Disclosure.objects.published().select_related("department__region", "pdf"), pk=pk
    )
    disclosure.show_printed_names()
    stored = getattr(disclosure, "pdf", None)
    if stored is None or not stored.is_ready:
        try:
            stored = store_pdf(disclosure.pk)
        except FileNotReady as waiting:
            return file_not_ready(request, waiting.retry_after)
    return stored_file(request, stored, pdf_filename(disclosure), "application/pdf")


@require_GET
@staff_member_required
def staff_preview_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Any revision's PDF, rendered on demand for staff (drafts are never stored)."""
    disclosure = get_object_or_404(Disclosure.objects.for_user(request.user).with_contents(), pk=pk)
    response = HttpResponse(render_pdf(disclosure), content_type="application/pdf")
    response["Content-Disposition"] = attachment(f"预览-{pdf_filename(disclosure)}")
    return response


@require_GET
def bulk_pdfs(request: HttpRequest, region_code: str, year: int) -> StreamingHttpResponse:
    """Every published PDF of a region (and the regions below it) for a year, one ZIP."""
    region = get_object_or_404(Region, code=region_code)
    response = StreamingHttpResponse(published_zip(region, year), content_type="application/zip")
    response["Content-Disposition"] = attachment(f"{year}年{region.name}部门预算公开PDF.zip")
    return response


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, through the one rule: a disclosure, or a row
    of one, only for those who may see it (Django's would redirect anyone to anything)."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    lookup = "pk" if model is Disclosure else getattr(model, "disclosure_lookup", None)
    if lookup is not None:
        visible = Disclosure.objects.for_user(request.user)
        if lookup != "pk":
            visible = model.objects.filter(**{f"{lookup}__in": visible})
        if not object_id.isdigit() or not visible.filter(pk=object_id).exists():
            raise Http404
    return shortcut(request, content_type_id, object_id)
