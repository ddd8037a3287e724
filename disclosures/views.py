from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from disclosures.checks import Facts, run_checks
from disclosures.dump import disclosure_document
from disclosures.models import Disclosure
from disclosures.specs import performance_forms, statutory_tables


def home(request: HttpRequest) -> HttpResponse:
    disclosures = Disclosure.objects.published().select_related("department__region")
    return render(request, "disclosures/home.html", {"disclosures": disclosures})


@staff_member_required
def staff_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every table and form of one revision, whatever its status, for staff."""
    disclosure = get_object_or_404(Disclosure.objects.with_contents(), pk=pk)
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


@staff_member_required
def staff_document(request: HttpRequest, pk: int) -> JsonResponse:
    """The same document dump_disclosure prints."""
    disclosure = get_object_or_404(Disclosure.objects.with_contents(), pk=pk)
    return JsonResponse(
        disclosure_document(disclosure), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
