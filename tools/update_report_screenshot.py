"""Write ``template/docs/operations-report.png``: the report screenshot in the operations guide.

Renders the default service from the committed template, seeds a database with
120 days of writes and a few anomalies, writes its ``timestamps report`` and
takes a full-page screenshot in headless Chromium (Debian's ``chromium``), as
``tests/test_operations_report.py`` does. Run it after changing the report:

    python tools/update_report_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = TEMPLATE_ROOT / "template" / "docs" / "operations-report.png"


def main() -> None:
    sys.path.insert(0, str(TEMPLATE_ROOT / "tests"))
    from conftest import generate
    from report_browser import render, seeded_report

    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        service = generate(work / "service")
        rendered = render(seeded_report(service, "task_tracker", work), SCREENSHOT)
    assert not rendered.console_errors, rendered.console_errors
    print(f"wrote {SCREENSHOT.relative_to(TEMPLATE_ROOT)}")


if __name__ == "__main__":
    main()
