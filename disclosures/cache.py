"""Caching of public pages.

A public page changes only when something is published: published revisions never change,
and a correction is a new published revision. So every cached page is keyed by a
publication stamp read from the database (one small query): publishing or correcting
changes the stamp, which invalidates every page at once, in every process, whatever the
cache backend. Reference data (a department renamed) shows after PUBLIC_CACHE_SECONDS.

Only anonymous GETs are cached; staff see the live page.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from disclosures.models import Disclosure


def publication_stamp() -> str:
    """Changes whenever a revision is published (first publication or correction)."""
    stamp = Disclosure.objects.published().aggregate(
        count=Count("pk"), last_id=Max("pk"), last_at=Max("published_at")
    )
    return f"{stamp['count']}-{stamp['last_id']}-{stamp['last_at']}"


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # The host too: API responses hold absolute URLs.
        what = "|".join(
            (publication_stamp(), get_language(), request.get_host(), request.get_full_path())
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
                    key, (response.content, dict(response.headers)), settings.PUBLIC_CACHE_SECONDS
                )
            response["X-Cache"] = "miss"
        patch_vary_headers(response, ("Cookie",))
        patch_cache_control(response, public=True, max_age=60)
        return response

    return wrapper
