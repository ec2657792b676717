"""The HTML report: one static page with the check, update activity and stale rows.

Everything is inline (CSS in a ``<style>`` element, charts as ``<svg>``): the
page fetches nothing and runs no script, so it opens from a file or a mail
attachment as it is.
"""

from html import escape

from .activity import Period
from .charts import bar_chart
from .health import ANOMALIES, KINDS, EntityHealth, HealthReport

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d232a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.status { display: inline-block; padding: .2rem .6rem; border-radius: .3rem; color: #fff; }
.healthy { background: #2e7d32; } .unhealthy { background: #c62828; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #c9d1d9; padding: .3rem .6rem; text-align: left; }
td.count { text-align: right; } td.found { background: #fdecea; }
ul.samples { font-size: .85rem; } code { font-size: .8rem; }
svg.chart rect { fill: #1565c0; } svg.chart .axis { stroke: #57606a; }
svg.chart text { font-size: 11px; fill: #57606a; }
"""


def render_report(title: str, report: HealthReport, activity: dict[str, list[Period]]) -> str:
    """The report page: ``report``'s findings and each entity's ``activity``.

    The findings table has the counts; each entity's section its activity chart
    and the sample ids of each kind found.
    """
    status = "healthy" if report.healthy else "unhealthy"
    sections = [
        f"<h1>{escape(title)}: timestamp health</h1>",
        f'<p><span class="status {status}">{status}</span> checked at '
        f"{report.checked_at.isoformat(timespec='seconds')}; stale means not updated for "
        f"{report.options.stale_days} days; future means later than "
        f"{report.options.future_tolerance.total_seconds():g} s ahead of the clock.</p>",
        _findings_table(report),
    ]
    for name, periods in activity.items():
        health = report.entities[name]
        stale = health.findings["stale"].count
        bars = [(period.start.strftime("%Y-%m-%d %H:%M"), period.rows) for period in periods]
        sections += [
            f"<h2>{escape(name)}</h2>",
            f"<p>{health.rows} rows, {stale} stale. Rows by the time of their last update:</p>",
            bar_chart(f"{name}: rows by last update", bars),
            _samples(health),
        ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}: timestamp health</title>\n<style>{STYLE}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _findings_table(report: HealthReport) -> str:
    header = "".join(f"<th>{kind}</th>" for kind in KINDS)
    rows = []
    for name, health in report.entities.items():
        cells = []
        for kind in KINDS:
            count = health.findings[kind].count
            found = " found" if count and kind in ANOMALIES else ""
            cells.append(f'<td class="count{found}">{count}</td>')
        rows.append(f"<tr><th>{escape(name)}</th>{''.join(cells)}</tr>")
    return (
        '<table class="findings"><thead><tr><th>entity</th>'
        f"{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _samples(health: EntityHealth) -> str:
    """The sample ids of each kind found, as a list; nothing when nothing was found."""
    items = []
    for kind, finding in health.findings.items():
        if finding.count:
            ids = ", ".join(f"<code>{escape(row_id)}</code>" for row_id in finding.sample_ids)
            items.append(f"<li>{kind}: {ids}</li>")
    return f'<ul class="samples">{"".join(items)}</ul>' if items else ""
