"""The operations report of a generated service, rendered and inspected in headless Chromium.

Used by ``tests/test_operations_report.py`` and by
``tools/update_report_screenshot.py`` (the screenshot in the generated docs).
The browser is Debian's ``chromium`` package, driven by Playwright (Python)
through its executable: Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1000, "height": 800}

# Run in a default service (Project and Task): 120 days of writes, then anomalies
# made with raw UPDATE statements: two out-of-order tasks and one future project.
SEED = textwrap.dedent(
    """
    import random
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from {package}.domain.clock import use_clock
    from {package}.infrastructure.database import create_database_engine, create_session_factory
    from {package}.infrastructure.orm.project_model import ProjectModel
    from {package}.infrastructure.orm.task_model import TaskModel
    from {package}.infrastructure.repositories.task_repository import TaskRepository
    from tests.factories import project, task
    from tests.support.clock import FrozenClock

    random.seed(14)
    engine = create_database_engine()
    factory = create_session_factory(engine)
    now = datetime.now(UTC)
    clock = FrozenClock(now - timedelta(days=120))
    tasks = []
    projects, tasks = [], []
    with use_clock(clock):
        for day in range(120):
            clock.set(now - timedelta(days=120 - day, hours=random.randint(0, 23)))
            with factory.begin() as session:
                if day % 9 == 0:
                    projects.append(project.stored(session))
                repository = TaskRepository(session)
                for _ in range(random.randint(0, 2 + day // 15)):
                    parent = random.choice(projects[-3:])
                    tasks.append(repository.save(task.new_task(project_id=parent.id)))
    with engine.begin() as connection:
        for stored in tasks[-2:]:
            connection.execute(
                update(TaskModel.__table__)
                .where(TaskModel.__table__.c.id == stored.id)
                .values(updated_at=stored.created_at - timedelta(hours=3))
            )
        connection.execute(
            update(ProjectModel.__table__)
            .where(ProjectModel.__table__.c.id == projects[0].id)
            .values(updated_at=now + timedelta(days=2))
        )
    engine.dispose()
    """
)


@dataclass
class RenderedPage:
    """What Chromium showed: table and chart sizes, console errors, requests made."""

    tables: list[int] = field(default_factory=list)
    charts: list[tuple[float, float, int]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def seeded_report(service: Path, package: str, directory: Path) -> Path:
    """Migrate a new SQLite database, seed it, and write the report; the page's path."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'report.sqlite3'}",
        "PYTHONPATH": os.pathsep.join([str(service / "src"), str(service)]),
    }
    page = directory / "report.html"
    commands = [
        [sys.executable, "-m", package, "db", "upgrade"],
        [sys.executable, "-c", SEED.format(package=package)],
        [
            sys.executable,
            "-m",
            package,
            "timestamps",
            "report",
            "--html",
            str(page),
            "--title",
            "Task Tracker",
            "--stale-days",
            "60",
        ],
    ]
    for number, command in enumerate(commands):
        result = subprocess.run(
            command, cwd=service, env=environment, capture_output=True, text=True, check=False
        )
        expected = 1 if number == len(commands) - 1 else 0  # the report finds the anomalies
        assert result.returncode == expected, f"{command[:4]}: {result.stdout}{result.stderr}"
    return page


def render(page: Path, screenshot: Path) -> RenderedPage:
    """Open ``page`` in headless Chromium, measure it, and save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    rendered = RenderedPage()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            tab = browser.new_page(viewport=VIEWPORT)
            tab.on(
                "console",
                lambda message: (
                    rendered.console_errors.append(message.text)
                    if message.type == "error"
                    else None
                ),
            )
            tab.on("pageerror", lambda error: rendered.console_errors.append(str(error)))
            tab.on("request", lambda request: rendered.requests.append(request.url))
            tab.goto(page.as_uri(), wait_until="load")
            rendered.tables = tab.eval_on_selector_all(
                "table", "tables => tables.map(table => table.rows.length)"
            )
            rendered.charts = [
                tuple(chart)
                for chart in tab.eval_on_selector_all(
                    "svg.chart",
                    """charts => charts.map(chart => {
                        const box = chart.getBoundingClientRect();
                        return [box.width, box.height, chart.querySelectorAll('rect').length];
                    })""",
                )
            ]
            tab.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return rendered
