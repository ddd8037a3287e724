"""The portal's own middleware: NUL bytes refused, and the interface language."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class RefuseNulMiddleware:
    """A NUL byte in the path, the query string or a cookie is a 400 (the portal's 400 page)
    before any view, the session or the database sees it: PostgreSQL refuses text with
    one (a 500 wherever it reached a query), and no address of the portal has one.
    Raw or percent-escaped (%00), as the server decodes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *request.COOKIES.keys(), *request.COOKIES.values()]
        for name, values in request.GET.lists():
            texts += [name, *values]
        if any("\x00" in text for text in texts):
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """The interface language: Chinese unless the visitor chose English with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a citizen whose
    phone is set to English would land on an English portal that publishes Chinese
    documents. Here only the language cookie (set by the switch) changes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
