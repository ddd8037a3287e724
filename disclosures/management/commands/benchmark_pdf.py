import io
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from disclosures.checks import run_checks
from disclosures.fixtures.generate import RandomSource, generated_facts, save_generated
from disclosures.management.benchmarking import peak_mib, peak_rss_mib, published_linxia
from disclosures.models import Disclosure
from disclosures.rendering.pdf import render_pdf


def page_count(content: bytes) -> int:
    """Pages of a PDF (pages sit in compressed object streams, so read it with pypdf,
    a development dependency; 0 when it is not installed)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return 0
    return len(PdfReader(io.BytesIO(content)).pages)


def measure(disclosure_id: int, repeat: int) -> tuple[float, float, int, int]:
    """Median render time (s), peak Python memory while rendering (MiB), pages, bytes.

    Timed without tracemalloc (it slows rendering several times); memory in one more run.
    """
    times = []
    for _ in range(repeat):
        disclosure = Disclosure.objects.with_contents().get(pk=disclosure_id)
        start = time.perf_counter()
        content = render_pdf(disclosure)
        times.append(time.perf_counter() - start)
    disclosure = Disclosure.objects.with_contents().get(pk=disclosure_id)
    peak = peak_mib(lambda: render_pdf(disclosure))
    pages = page_count(content)
    return statistics.median(times), peak, pages, len(content)


class Command(BaseCommand):
    help = "性能基准：生成 PDF 的耗时与内存峰值——临夏 2024，以及随机生成的 30 个单位、200 个项目的部门。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--units", type=int, default=30)
        parser.add_argument("--projects", type=int, default=200)

    def report(self, label: str, figures: tuple[float, float, int, int]) -> None:
        seconds, peak, pages, size = figures
        self.stdout.write(
            f"{label}：{seconds:.2f} s（中位数），Python 内存峰值 {peak:.1f} MiB，{pages} 页，{size / 1024:.0f} KiB"
        )

    def handle(self, *args, repeat: int, units: int, projects: int, **options) -> None:
        linxia = published_linxia()
        if linxia is not None:
            self.report(str(linxia), measure(linxia.pk, repeat))
        with transaction.atomic():
            facts = generated_facts(RandomSource(2024), units=units, projects=projects)
            findings = run_checks(facts)
            if findings:
                raise CommandError(
                    f"generated disclosure does not pass its checks: {findings[0].message}"
                )
            generated = save_generated(facts)
            self.report(
                f"随机生成部门（{units} 个单位，{projects} 个项目）", measure(generated.pk, repeat)
            )
            transaction.set_rollback(True)
        self.stdout.write(f"进程常驻内存峰值：{peak_rss_mib():.0f} MiB")
