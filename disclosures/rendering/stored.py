"""The files of a published revision (its PDF and its workbook), rendered exactly once.

The worker that renders first makes the file's row as a claim (the database's unique key
on the disclosure decides between concurrent callers), renders outside any transaction,
then fills the row in; the others get FileNotReady until then, and the pages a 503 with
Retry-After. A claim older than CLAIM_EXPIRES is a worker that died, and is taken over.
"""

import datetime
import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from disclosures.models import Disclosure
from disclosures.models.files import RenderedFile

CLAIM_EXPIRES = datetime.timedelta(minutes=10)


class FileNotReady(Exception):
    """Another worker is rendering this file now; ask again shortly."""

    retry_after = 10


def _claim(model: type[RenderedFile], disclosure_id: int) -> RenderedFile | None:
    """The stored file if it is ready; None if this worker now holds the claim to render
    it; FileNotReady while another worker holds a live claim."""
    now = timezone.now()
    try:
        with transaction.atomic():
            model.objects.create(disclosure_id=disclosure_id, claimed_at=now)
        return None
    except IntegrityError:
        pass
    existing = model.objects.get(disclosure_id=disclosure_id)
    if existing.is_ready:
        return existing
    stale = model.objects.filter(pk=existing.pk, sha256="", claimed_at__lt=now - CLAIM_EXPIRES)
    if stale.update(claimed_at=now):
        return None
    raise FileNotReady(disclosure_id)


def store(
    model: type[RenderedFile], disclosure_id: int, render: Callable[[Disclosure], bytes]
) -> RenderedFile:
    """Render one file of a published revision once and keep it; later calls return it."""
    ready = model.objects.ready().filter(disclosure_id=disclosure_id).first()
    if ready is not None:
        return ready
    disclosure = Disclosure.objects.with_contents().get(pk=disclosure_id)
    if disclosure.status != Disclosure.Status.PUBLISHED:
        raise ValueError(f"{disclosure} is not published; drafts are previewed, not stored")
    existing = _claim(model, disclosure_id)
    if existing is not None:
        return existing
    try:
        content = render(disclosure)
    except BaseException:
        model.objects.filter(disclosure_id=disclosure_id, sha256="").delete()
        raise
    sha256 = hashlib.sha256(content).hexdigest()
    stored = model.objects.get(disclosure_id=disclosure_id)
    name = f"{disclosure.pk}/{sha256}.{model.extension}"
    stored.file.save(name, ContentFile(content), save=False)
    stored.sha256, stored.size = sha256, len(content)
    stored.save()
    return stored
