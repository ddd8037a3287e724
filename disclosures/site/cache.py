"""Caching of public pages.

A public page changes only when something is published or a 批复日期 is recorded:
published revisions never change, a correction is a new published revision, and the
compliance and region pages read BudgetApproval. So every cached page is keyed by a stamp
read from the database (one small query): publishing, correcting, or recording, changing or
deleting a 批复日期 (in the admin, in bulk or by upload: each save sets recorded_at, each
deletion lowers the count) changes the stamp, which invalidates every page at once, in
every process, whatever the cache backend. Reference data (a department renamed) shows
after PUBLIC_CACHE_SECONDS.

Only anonymous GETs are cached; staff see the live page. A page reads only the query
parameters it declares (`@cached_page(params=("q",))`): the others are taken off the request
before the view runs, so `?nocache=<random>` is the same page and the same cache entry.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from disclosures.models import BudgetApproval, Disclosure


def publication_stamp() -> str:
    """Changes whenever a revision is published (first publication or correction) and
    whenever a 批复日期 is recorded, changed or deleted; one query whatever the tables
    hold (two one-row aggregates joined, so that either may be empty)."""
    published, published_params = (
        Disclosure.objects.published()
        .order_by()
        .values(stamp_id=F("pk"), stamp_at=F("published_at"))
        .query.sql_with_params()
    )
    approvals = connection.ops.quote_name(BudgetApproval._meta.db_table)
    # Only Django's own compiled SQL and a quoted table name; values go as parameters.
    sql = (
        "SELECT p.n, p.last_id, p.last_at, a.n, a.last_at FROM "  # noqa: S608
        "(SELECT COUNT(*) AS n, MAX(d.stamp_id) AS last_id, MAX(d.stamp_at) AS last_at "
        f"FROM ({published}) d) p CROSS JOIN "
        f"(SELECT COUNT(*) AS n, MAX(recorded_at) AS last_at FROM {approvals}) a"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, published_params)
        stamp = cursor.fetchone()
    return "-".join(str(value) for value in stamp)


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
