"""Geometry for the dashboard's SVG charts, drawn by templates/charts.html: series over time (stacked
bars, lines), and a job's timeline (a waterfall of its queue waits, attempts and component runs).
Everything here is plain numbers in an SVG viewBox; the page scales it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from sluice.ui.run_view import RunView

WIDTH = 640
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 26


@attrs.frozen
class Tick:
    at: float
    label: str


@attrs.frozen
class Bar:
    x: float
    y: float
    width: float
    height: float
    key: str
    value: float
    title: str


@attrs.frozen
class Point:
    x: float
    y: float
    value: float
    title: str


@attrs.frozen
class Line:
    key: str
    label: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


@attrs.frozen
class Chart:
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...] = ()
    lines: tuple[Line, ...] = ()
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return self.height - BOTTOM


@attrs.frozen
class Window:
    """A span of the recent past, cut into buckets of `step`."""

    start: datetime
    end: datetime
    step: timedelta

    @property
    def buckets(self) -> list[datetime]:
        count = int((self.end - self.start) / self.step)
        return [self.start + self.step * i for i in range(count)]

    def x(self, moment: datetime) -> float:
        share = (moment - self.start) / (self.end - self.start)
        return LEFT + share * (WIDTH - LEFT - RIGHT)


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 5 times 10^n at least `value`, so the y axis has round ticks."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= value)


def _label(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.2g}"


def _y_axis(top: float) -> tuple[float, tuple[Tick, ...]]:
    top = _nice_top(top)
    plot = HEIGHT - TOP - BOTTOM
    # Quarters of 1, 2 or 10 and fifths of 5 are round numbers.
    parts = 5 if f"{top:g}".lstrip("0.").startswith("5") else 4
    return top, tuple(Tick(HEIGHT - BOTTOM - plot * i / parts, _label(top * i / parts)) for i in range(parts + 1))


def _x_axis(window: Window) -> tuple[Tick, ...]:
    span = window.end - window.start
    every = max(1, len(window.buckets) // 6)
    fmt = "%H:%M" if span <= timedelta(days=1) else "%d %H:%M"
    return tuple(Tick(window.x(moment), moment.strftime(fmt)) for moment in window.buckets[::every])


def _y(value: float, top: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top


def stacked(window: Window, counts: Mapping[tuple[datetime, str], float], keys: Sequence[str],
            unit: str) -> Chart:
    """One bar per bucket, a segment per key, each `counts[(bucket, key)]` high."""
    totals = {bucket: sum(counts.get((bucket, key), 0) for key in keys) for bucket in window.buckets}
    top, y_ticks = _y_axis(max(totals.values(), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(window.buckets))
    bars = []
    for bucket in window.buckets:
        below = 0.0
        for key in keys:
            value = counts.get((bucket, key), 0)
            if value:
                y = _y(below + value, top)
                bars.append(Bar(window.x(bucket) + slot * 0.1, y, slot * 0.8, _y(below, top) - y, key, value,
                                f"{bucket:%H:%M}: {_label(value)} {key} {unit}"))
                below += value
    return Chart(_x_axis(window), y_ticks, bars=tuple(bars))


def lines(window: Window, series: Mapping[str, tuple[str, Mapping[datetime, float]]], unit: str) -> Chart:
    """One line per series (`key: (label, value by bucket)`), a point at each bucket with a value."""
    top, y_ticks = _y_axis(max((v for _, values in series.values() for v in values.values()), default=0))
    half = (WIDTH - LEFT - RIGHT) / max(1, len(window.buckets)) / 2
    drawn = []
    for key, (label, values) in series.items():
        points = tuple(Point(window.x(bucket) + half, _y(values[bucket], top), values[bucket],
                             f"{bucket:%H:%M}: {label} {_label(values[bucket])} {unit}")
                       for bucket in window.buckets if bucket in values)
        drawn.append(Line(key, label, points))
    return Chart(_x_axis(window), y_ticks, lines=tuple(drawn))


@attrs.frozen
class Span:
    """One bar of a job's timeline."""

    kind: str  # queued, attempt, component
    label: str
    outcome: str
    row: int
    x: float
    width: float
    duration: str
    component_id: str | None = None

    @property
    def title(self) -> str:
        return f"{self.label}: {self.duration} ({self.outcome})"


@attrs.frozen
class Timeline:
    spans: tuple[Span, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    left: int

    @property
    def bar_height(self) -> int:
        return TIMELINE_ROW - 6


TIMELINE_WIDTH = 1000
TIMELINE_LEFT = 260
TIMELINE_ROW = 24


def _seconds(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


def timeline(view: RunView, names: Mapping[str, str], now: datetime) -> Timeline:
    """Queue wait and run of each attempt, then every component run in the order they started."""
    rows: list[tuple[str, str, str, datetime, datetime, str | None]] = []
    for attempt in view.attempts:
        claimed = attempt.claimed or attempt.ended or now
        number = attempt.number + (0 if attempt.claimed else 1)
        rows.append(("queued", f"queued (attempt {number})", "queued", attempt.queued, claimed, None))
        if attempt.claimed is not None:
            worker = f" · {attempt.worker}" if attempt.worker else ""
            rows.append(("attempt", f"attempt {attempt.number}{worker}", attempt.outcome, attempt.claimed,
                         attempt.ended or now, None))
    repeated = {run.component_id for run in view.runs if run.iteration > 1}
    for run in sorted(view.runs, key=lambda run: run.started):
        name = names.get(run.component_id, run.component_id)
        if run.tool:
            name += f" (tool {run.tool})"
        if run.component_id in repeated:
            name += f" #{run.iteration}"
        rows.append(("component", name, run.outcome, run.started, run.ended or now, run.component_id))
    start = min((row[3] for row in rows), default=now)
    end = max((row[4] for row in rows), default=now)
    span = max((end - start).total_seconds(), 0.001)
    plot = TIMELINE_WIDTH - TIMELINE_LEFT - 70

    def x(moment: datetime) -> float:
        return TIMELINE_LEFT + plot * (moment - start).total_seconds() / span

    spans = tuple(
        Span(kind, label, outcome, i, x(begin), max(2.0, x(finish) - x(begin)), _seconds(finish - begin),
             component_id=component_id)
        for i, (kind, label, outcome, begin, finish, component_id) in enumerate(rows)
    )
    ticks = tuple(Tick(TIMELINE_LEFT + plot * i / 4, "+" + _seconds(timedelta(seconds=span * i / 4)))
                  for i in range(5))
    return Timeline(spans, ticks, TIMELINE_WIDTH, TIMELINE_ROW * len(rows) + 30, TIMELINE_LEFT)
