"""The pages a person reads, opened in a real browser (headless Chromium from the distribution's package, driven by
Playwright): a run's report, a comparison page and the documentation's home load without console errors, show
the headline first, contain no NaN, and every image loads. Slow; skipped where Chromium or Playwright is not
installed (apt-get install chromium; pip install playwright)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LOGISTICS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright (pip install)")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: apt-get install chromium (or set LOGISTICS_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A run's report, a comparison of two runs and the built docs, served over HTTP from one folder."""
    root = tmp_path_factory.mktemp("pages")
    short = ["--set", "run.horizon_h=24", "--set", "run.cooldown_h=24", "-q"]
    for name, seed in (("a", "1"), ("b", "2")):
        subprocess.run(
            ["logistics", "run", "bonded_import_small", "--seed", seed, "--out", str(root / name), *short], check=True
        )
    subprocess.run(
        ["logistics", "compare", str(root / "a"), str(root / "b"), "--out", str(root / "c.html")], check=True
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        ["mkdocs", "build", "--strict", "--quiet", "--site-dir", str(root / "site")], cwd=ROOT, check=True, env=env
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def _open(browser: object, url: str) -> tuple[object, list[str]]:
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    # script errors, and every resource the page asked for that failed (a failed load is also logged as a
    # console error without its address: counted here by response instead; the favicon the browser itself asks
    # for is not the page's)
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"{r.url}: {r.failure}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.url}: HTTP {r.status}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, errors


def _images_loaded(page: object) -> tuple[int, int]:
    loaded = page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
    )
    return loaded, page.evaluate("() => document.images.length")  # type: ignore[attr-defined]


def test_the_report_loads_headline_first_with_every_image(browser: object, pages: tuple[str, Path]) -> None:
    base, _ = pages
    page, errors = _open(browser, f"{base}/a/report.html")
    assert errors == []
    first = page.locator("h2").first.inner_text()  # type: ignore[attr-defined]
    assert first.startswith("Headline")
    text = page.inner_text("body")  # type: ignore[attr-defined]
    assert "NaN" not in text and "nan" not in text.split()
    loaded, total = _images_loaded(page)
    assert total >= 3 and loaded == total


def test_the_comparison_page_loads_without_errors_or_nan(browser: object, pages: tuple[str, Path]) -> None:
    base, _ = pages
    page, errors = _open(browser, f"{base}/c.html")
    assert errors == []
    text = page.inner_text("body")  # type: ignore[attr-defined]
    assert "NaN" not in text and len(text) > 200
    loaded, total = _images_loaded(page)
    assert loaded == total


def test_the_docs_home_loads_and_links_the_tutorials(browser: object, pages: tuple[str, Path]) -> None:
    base, _ = pages
    page, errors = _open(browser, f"{base}/site/index.html")
    assert errors == []
    assert page.locator("h1").first.inner_text().startswith("logistics")  # type: ignore[attr-defined]
    page.get_by_role("link", name="first run").first.click()  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert "First run" in page.locator("h1").first.inner_text()  # type: ignore[attr-defined]
    loaded, total = _images_loaded(page)
    assert loaded == total
