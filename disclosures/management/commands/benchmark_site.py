"""Load benchmark of the public site: wrk against gunicorn on loopback.

Measures requests per second and latency percentiles for the home page and the Linxia
2024 disclosure page, with the page cache off and on, beside a static copy of that page
served by the same gunicorn through whitenoise. Each run is bounded in time (--duration)
and in requests (--requests, enforced by a small wrk Lua script).

Reads the database the settings name (load the demo first: `make demo`).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disclosures.models import Disclosure

# Stops each wrk thread after its share of --requests responses.
LIMIT_SCRIPT = """
local limit = tonumber(os.getenv("WRK_LIMIT"))
local threads, done = 0, 0
function setup(thread) threads = threads + 1; thread:set("share", 0) end
function init(args) share = math.ceil(limit / tonumber(os.getenv("WRK_THREADS"))) end
function response(status, headers, body)
  if status ~= 200 then error("HTTP " .. status) end
  done = done + 1
  if done >= share then wrk.thread:stop() end
end
"""

LINXIA = "临夏市人民代表大会常务委员会办公室"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "wrk 压测公开页面（首页、临夏 2024 公开页；缓存开/关；同一 gunicorn 下的静态副本）"

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="每项最长秒数（默认 10）")
        parser.add_argument(
            "--requests", type=int, default=3000, help="每项最多请求数（默认 3000）"
        )
        parser.add_argument("--connections", type=int, default=8, help="并发连接数（默认 8）")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 进程数（默认 3）")

    def handle(self, *args, duration, requests, connections, workers, **options):
        if shutil.which("wrk") is None:
            raise CommandError("需要 wrk：apt-get install wrk（make setup 以 root 运行时会安装）")
        disclosure = Disclosure.objects.current().filter(department__name=LINXIA).first()
        if disclosure is None:
            raise CommandError("数据库中没有已公开的临夏 2024 部门预算；请先运行 make demo。")
        page_path = disclosure.current_url

        with tempfile.TemporaryDirectory() as folder:
            static_root = Path(folder) / "static"
            lua = Path(folder) / "limit.lua"
            lua.write_text(LIMIT_SCRIPT)
            env = {
                **os.environ,
                "DEBUG": "0",
                "SECRET_KEY": "benchmark-only-not-secret",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "STATIC_ROOT": str(static_root),
                "DJANGO_SETTINGS_MODULE": os.environ.get(
                    "DJANGO_SETTINGS_MODULE", "budgetportal.settings"
                ),
                "DATABASE_URL": os.environ.get(
                    "DATABASE_URL", f"sqlite:///{settings.DATABASES['default']['NAME']}"
                ),
            }
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run(  # noqa: S603 - our own interpreter
                [*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True
            )
            (static_root / "bench").mkdir(parents=True)
            self.stdout.write(
                f"gunicorn {workers} 个进程，wrk {connections} 个连接，每项最长 {duration} 秒、"
                f"最多 {requests} 个请求\n"
            )
            header = f"{'项目':<28}{'请求数':>8}{'请求/秒':>10}{'p50':>9}{'p90':>9}{'p99':>9}"
            self.stdout.write(header)
            for cached in (False, True):
                env["PUBLIC_CACHE_SECONDS"] = "600" if cached else "0"
                port = free_port()
                server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "budgetportal.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(workers),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=settings.BASE_DIR,
                    start_new_session=True,
                )
                try:
                    base = f"http://127.0.0.1:{port}"
                    self._wait(base)
                    if not cached:
                        # The static copy: the very page, saved where whitenoise will serve
                        # it as a file once gunicorn starts again (it scans at start).
                        page = base + urllib.request.quote(page_path)
                        html = urllib.request.urlopen(page).read()  # noqa: S310 - loopback
                        (static_root / "bench" / "linxia-2024.html").write_bytes(html)
                    mode = "缓存" if cached else "不缓存"
                    targets = [(f"首页（{mode}）", "/"), (f"临夏 2024（{mode}）", page_path)]
                    if cached:
                        targets.append(("临夏 2024 静态副本", "/static/bench/linxia-2024.html"))
                    for label, path in targets:
                        url = base + urllib.request.quote(path, safe="/:")
                        urllib.request.urlopen(url).read()  # noqa: S310 - loopback; warms the cache
                        self.stdout.write(
                            self._wrk(label, url, lua, duration, requests, connections)
                        )
                finally:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(timeout=30)

    def _wait(self, base: str) -> None:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/openapi.json").read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn 未能启动")

    def _wrk(self, label, url, lua, duration, requests, connections) -> str:
        """wrk runs for its whole duration even when the Lua script stops its threads, so
        a one-second probe sizes the run to stay within --requests; the script's cap is
        the hard bound."""
        probe = self._run_wrk(url, lua, 1, requests, connections)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", probe).group(1)) or 1.0
        seconds = max(1, min(duration, int(requests * 0.9 / rate)))
        out = self._run_wrk(url, lua, seconds, requests, connections)
        total = re.search(r"(\d+) requests in", out).group(1)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        pct = {p: re.search(rf"^\s+{p}%\s+(\S+)", out, re.M).group(1) for p in ("50", "90", "99")}
        return f"{label:<28}{total:>8}{rate:>10.1f}{pct['50']:>9}{pct['90']:>9}{pct['99']:>9}"

    def _run_wrk(self, url, lua, seconds, requests, connections) -> str:
        threads = min(2, connections)
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(lua),
                url,
            ],
            env={**os.environ, "WRK_LIMIT": str(requests), "WRK_THREADS": str(threads)},
            capture_output=True,
            text=True,
            check=True,
        )
        if "Non-2xx" in result.stdout or result.stderr.strip():
            raise CommandError(f"wrk 报告错误：{url}\n{result.stdout}\n{result.stderr}")
        return result.stdout
