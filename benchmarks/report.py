"""The Markdown table, the PNG plots and the raw figures of a benchmark run."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from .harness import CountResult, Result, format_counts

TIMES = "\N{MULTIPLICATION SIGN}"  # after a ratio


def duration(seconds: float) -> str:
    """``seconds`` in the unit that reads best (ns, µs, ms, s)."""
    if seconds < 0:
        return f"-{duration(-seconds)}"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def met(value: bool | None) -> str:
    return "" if value is None else ("met" if value else "**missed**")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sections(results: Sequence[Result]) -> dict[str, list[Result]]:
    sections: dict[str, list[Result]] = {}
    for result in results:
        sections.setdefault(result.section, []).append(result)
    return sections


def markdown(
    command: str,
    machine: dict[str, str],
    results: Sequence[Result],
    counts: Sequence[CountResult],
    plots: Sequence[Path],
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}`; do not edit by hand"
        " (see [docs/benchmarks.md](../benchmarks.md)).",
        "Each figure is the median of alternating runs of the measured",
        "code and its baseline; the ratio is measured / baseline (below 1: faster than",
        "the baseline). A target is met when the ratio is at most the target.",
        "",
        "The mutation score of the generated timestamp core is published apart, in",
        "[mutation.md](mutation.md) (`python benchmarks/mutation.py`).",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "",
        "## Targets",
        "",
        "| section | figure | ratio or statements | target | |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in results:
        if result.target is not None:
            lines.append(
                f"| {result.section} | {result.name} | {result.ratio:.2f}{TIMES} | "
                f"≤ {result.target:g}{TIMES} | {met(result.met)} |"
            )
    for count in counts:
        target = ", ".join(f"≤ {most} {kind}" for kind, most in count.target.items())
        lines.append(
            f"| {count.section} | {count.name} | {format_counts(count.counts)} | {target} | "
            f"{met(count.met)} |"
        )
    for section, members in _sections(results).items():
        lines += [
            "",
            f"## {section}",
            "",
            "| figure | measured | baseline | measured median | baseline median | ratio | "
            "target | statements | runs | note |",
            "| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | --- |",
        ]
        for result in members:
            target = (
                "" if result.target is None else f"≤ {result.target:g}{TIMES} {met(result.met)}"
            )
            statements = "; ".join(f"{label}: {text}" for label, text in result.statements.items())
            lines.append(
                f"| {result.name} | {result.measured_label} | {result.baseline_label} | "
                f"{duration(result.measured)} / {result.unit} | "
                f"{duration(result.baseline)} / {result.unit} | "
                f"{result.ratio:.2f}{TIMES} | {target} | {statements} | {result.rounds} | "
                f"{result.note} |"
            )
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{plot.stem}]({plot.name})" for plot in plots]
    return "\n".join(lines) + "\n"


def plot_ratios(results: Sequence[Result], directory: Path) -> list[Path]:
    """One bar chart of ratios per section, the target marked on each bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    for section, members in _sections(results).items():
        height = 1.2 + 0.55 * len(members)
        figure, axes = plt.subplots(figsize=(10, height))
        repeated = {
            name for name in (r.name for r in members) if [r.name for r in members].count(name) > 1
        }
        names = [
            _short(
                f"{result.name}: {result.measured_label}"
                if result.name in repeated
                else result.name
            )
            for result in members
        ][::-1]
        ratios = [result.ratio for result in members][::-1]
        colours = [
            "#999999" if result.met is None else ("#2e7d32" if result.met else "#c62828")
            for result in members
        ][::-1]
        positions = range(len(members))
        axes.barh(positions, ratios, color=colours)
        for position, result in zip(positions, members[::-1], strict=True):
            if result.target is not None:
                axes.plot([result.target] * 2, [position - 0.4, position + 0.4], color="black")
            label = f" {result.ratio:.2f}{TIMES}"
            axes.text(result.ratio, position, label, va="center", fontsize=8)
        axes.axvline(1.0, color="#555555", linestyle=":", linewidth=1)
        axes.set_yticks(list(positions), names, fontsize=8)
        axes.set_xlabel("measured / baseline (black tick: target; green met, red missed)")
        axes.set_title(section)
        axes.set_xlim(0, max([*ratios, *(r.target or 0 for r in members)]) * 1.2)
        figure.tight_layout()
        path = directory / f"{slug(section)}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written


def plot_copy_scaling(copies: dict[int, float], directory: Path) -> Path:
    """Seconds of a copy, and seconds per entity, against the number of entities."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(copies)
    figure, (total, each) = plt.subplots(1, 2, figsize=(10, 3.6))
    total.plot(sizes, [copies[size] for size in sizes], marker="o")
    total.set_xlabel("entities")
    total.set_ylabel("seconds per copy (median)")
    total.set_title("`copier copy`, no checks")
    total.set_ylim(bottom=0)
    past = [size for size in sizes if size > 1]
    each.plot(
        past, [(copies[size] - copies[1]) / (size - 1) for size in past], marker="o",
        label="past the first entity",
    )  # fmt: skip
    each.plot(sizes, [copies[size] / size for size in sizes], marker="o", label="copy / entities")
    each.set_xlabel("entities")
    each.set_ylabel("seconds per entity")
    each.set_title("seconds per entity (flat is good)")
    each.set_ylim(bottom=0)
    each.legend(fontsize=8)
    figure.tight_layout()
    path = directory / "copy-scaling.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _short(name: str, width: int = 70) -> str:
    name = name.replace("`", "")
    return name if len(name) <= width else name[: width - 1] + "…"


def raw(machine: dict[str, str], results: Sequence[Result], counts: Sequence[CountResult]) -> str:
    return (
        json.dumps(
            {
                "machine": machine,
                "results": [
                    asdict(result) | {"ratio": result.ratio, "met": result.met}
                    for result in results
                ],
                "counts": [
                    {
                        "section": c.section,
                        "name": c.name,
                        "counts": dict(c.counts),
                        "target": c.target,
                        "met": c.met,
                    }
                    for c in counts
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def load(path: Path) -> tuple[dict[str, str], list[Result], list[CountResult]]:
    """What :func:`raw` wrote: the machine, the results and the counts."""
    data = json.loads(path.read_text())
    results = []
    for entry in data["results"]:
        entry = {key: value for key, value in entry.items() if key not in ("ratio", "met")}
        results.append(Result(**entry))
    counts = [
        CountResult(c["section"], c["name"], Counter(c["counts"]), c["target"])
        for c in data["counts"]
    ]
    return data["machine"], results, counts


def copies_of(results: Sequence[Result]) -> dict[int, float]:
    """Median seconds of a copy by number of entities, from the generation results."""
    copies: dict[int, float] = {}
    for result in results:
        match = re.fullmatch(r"`copier copy`, (\d+) entities, no checks", result.name)
        if match:
            copies[int(match[1])] = result.measured
            copies[1] = result.baseline
    return copies
