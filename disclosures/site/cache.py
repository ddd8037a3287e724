"""Caching of public pages.

A public page changes only when something is published: published revisions never change,
and a correction is a new published revision. So every cached page is keyed by a
publication stamp read from the database (one small query): publishing or correcting
changes the stamp, which invalidates every page at once, in every process, whatever the
cache backend. Reference data (a department renamed) shows after PUBLIC_CACHE_SECONDS.

Only anonymous GETs are cached; staff see the live page. A page reads only the query
parameters it declares (`@cached_page(params=("q",))`): the others are taken off the request
before the view runs, so `?nocache=<random>` is the same page and the same cache entry.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from disclosures.models import Disclosure


def publication_stamp() -> str:
    """Changes whenever a revision is published (first publication or correction)."""
    stamp = Disclosure.objects.published().aggregate(
        count=Count("pk"), last_id=Max("pk"), last_at=Max("published_at")
    )
    return f"{stamp['count']}-{stamp['last_id']}-{stamp['last_at']}"


View = Callable[..., HttpResponse]


def cached_page(*, params: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Cache a public page for anonymous visitors, keyed by the publication stamp, the
    language, the host, the path and the parameters in `params`, the only ones the page
    sees. The view's `query_params` says which they are."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # What the page may depend on is what the cache keys on: it sees nothing else,
            # nor does any link it makes from the request (the language switch's next=).
            query = declared_query(request.GET, params)
            request.GET = QueryDict(query)
            request.META["QUERY_STRING"] = query
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            # The host too: API responses hold absolute URLs.
            what = "|".join(
                (publication_stamp(), get_language(), request.get_host(), request.path, query)
            )
            key = f"public-page:{hashlib.sha256(what.encode()).hexdigest()}"
            cached = cache.get(key)
            if cached is not None:
                content, headers = cached
                response = HttpResponse(content, headers=headers)
                response["X-Cache"] = "hit"
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    # Headers as the view set them (type, download name, CORS).
                    cache.set(
                        key,
                        (response.content, dict(response.headers)),
                        settings.PUBLIC_CACHE_SECONDS,
                    )
                response["X-Cache"] = "miss"
            patch_vary_headers(response, ("Cookie",))
            patch_cache_control(response, public=True, max_age=60)
            return response

        wrapper.query_params = params
        return wrapper

    return decorator


def declared_query(query: QueryDict, params: tuple[str, ...]) -> str:
    """The query string of the declared parameters, in a fixed order, with blank values
    left out (every page reads a blank parameter as an absent one)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()
