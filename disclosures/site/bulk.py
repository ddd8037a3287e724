"""All published PDFs of a region and year as one streamed ZIP, with a manifest, for
auditors. Files are streamed from storage one by one; nothing is rendered."""

import csv
import io
import zipfile
from collections.abc import Iterator

from disclosures.models import Disclosure, Region
from disclosures.rendering.pdf import pdf_filename, store_pdf
from disclosures.rendering.stored import FileNotReady
from disclosures.site.queries import region_and_below


class _Chunks(io.RawIOBase):
    """A write-only stream that hands what is written to the response, chunk by chunk."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def published_zip(region: Region, year: int) -> Iterator[bytes]:
    disclosures = (
        Disclosure.objects.published()
        .filter(department__region__in=region_and_below(region), fiscal_year=year)
        .select_related("department__region")
        .order_by("department__region__code", "department__name", "revision")
    )
    stream = _Chunks()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["文件", "地区", "部门", "年度", "类别", "版本", "公开时间", "SHA-256"])
    with zipfile.ZipFile(stream, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for disclosure in disclosures:
            disclosure.show_printed_names()
            try:
                stored = store_pdf(disclosure.pk)
            except FileNotReady:
                continue  # being rendered by another worker: in the next download
            name = f"{disclosure.department.region.name}/{pdf_filename(disclosure)}"
            with stored.file.open("rb") as source, archive.open(name, mode="w") as target:
                while chunk := source.read(1 << 16):
                    target.write(chunk)
                    yield stream.take()
            writer.writerow(
                [
                    name,
                    disclosure.department.region.full_name,
                    disclosure.department.name,
                    disclosure.fiscal_year,
                    disclosure.get_kind_display(),
                    disclosure.revision,
                    disclosure.published_at.isoformat() if disclosure.published_at else "",
                    stored.sha256,
                ]
            )
        archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
    yield stream.take()
