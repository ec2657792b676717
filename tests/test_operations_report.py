"""The generated service's HTML report, opened in headless Chromium (Debian's package).

The screenshot is kept under ``artifacts/`` (ignored by git); the run's summary
names it (``artifact kept: ...``).
"""

from __future__ import annotations

from pathlib import Path

from conftest import ARTIFACTS, generate
from report_browser import CHROMIUM, render, seeded_report


def test_the_report_renders_its_tables_and_charts_in_chromium(tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (.ci/services does)"
    service = generate(tmp_path / "service")
    page = seeded_report(service, "task_tracker", tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "operations-report.png"
    rendered = render(page, screenshot)
    print(f"report screenshot: {screenshot}")
    assert rendered.console_errors == []
    assert rendered.requests == [page.as_uri()]
    # The findings: a header row and one row per entity.
    assert rendered.tables == [3]
    assert len(rendered.charts) == 2
    for width, height, bars in rendered.charts:
        assert width > 300 and height > 100
        assert bars == 24
    assert screenshot.stat().st_size > 10_000
