"""Layout of the daily compliance report: `ComplianceData` in, PDF bytes out.

`ReportRenderer` is the interface the report job depends on; `FpdfRenderer` implements it with
fpdf2 alone (tables, and bar charts drawn with its own drawing primitives). Every number a chart
shows is also printed in a table next to it, so the whole report can be read, searched and
checked as text. Rendering is a pure function of the data: the same data (including its
`generated_at`, used as the PDF's creation date) gives the same bytes.

Text is set in the PDF core fonts (no font files to ship); characters outside Latin-1 are
replaced by ``?``.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import datetime
from math import floor, log10
from typing import Any, Protocol

from genims_platform.operations.compliance_data import ComplianceData

TITLE = "GenIMS daily compliance report"
FONT = "Helvetica"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (31, 78, 121)
BAR = (52, 113, 170)
ALERT_BAR = (192, 57, 43)
GRID = (222, 226, 230)
HEADING_FILL = (231, 238, 245)
ALERT_FILL = (250, 219, 216)
OK_FILL = (221, 242, 226)


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report: the PDF and what it contains."""

    pdf: bytes
    pages: int
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


class ReportRenderer(Protocol):
    """Turns the gathered data of one day into a document."""

    def render(self, data: ComplianceData) -> RenderedReport: ...


def latin1(text: object) -> str:
    """Text the core fonts can show."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def stamp(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def short(text: str | None, limit: int) -> str:
    if not text:
        return "-"
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round gridline step (1, 2 or 5 times a power of ten) giving at most `ticks` lines."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** floor(log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, factor * power)
    return 10 * power


class _Document:
    """An fpdf2 document with the report's page furniture and building blocks."""

    def __init__(self, data: ComplianceData) -> None:
        from fpdf import FPDF

        day = data.day.isoformat()
        database = data.database

        class _Pdf(FPDF):
            def header(self) -> None:
                if self.page_no() == 1:
                    return
                self.set_font(FONT, "", 8)
                self.set_text_color(*MUTED)
                self.cell(0, 5, latin1(f"{TITLE} - {day} (UTC) - {database}"), align="L")
                self.ln(8)

            def footer(self) -> None:
                self.set_y(-12)
                self.set_font(FONT, "", 8)
                self.set_text_color(*MUTED)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

        pdf = _Pdf(orientation="P", unit="mm", format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_creation_date(data.generated_at)
        pdf.set_title(latin1(f"{TITLE} {day}"))
        pdf.set_subject(latin1(f"Compliance report of {database} for {day} (UTC)"))
        pdf.set_author("GenIMS data platform")
        pdf.set_creator("genims_platform.operations.compliance_pdf")
        pdf.set_producer("fpdf2")
        pdf.add_page()
        self.pdf = pdf

    @property
    def width(self) -> float:
        return self.pdf.epw

    def title(self, data: ComplianceData) -> None:
        pdf = self.pdf
        pdf.set_text_color(*ACCENT)
        pdf.set_font(FONT, "B", 18)
        pdf.cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 10)
        for line in (
            f"Report day: {data.day.isoformat()} (00:00 to 24:00 UTC)",
            f"Audit database: {data.database}",
            f"Generated: {stamp(data.generated_at.replace(tzinfo=None))} UTC",
        ):
            pdf.cell(0, 5.5, latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def heading(self, text: str, room: float = 30) -> None:
        """A section heading, moved to a new page when less than `room` mm would follow it."""
        pdf = self.pdf
        if pdf.will_page_break(room + 10):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + self.width, pdf.get_y())
        pdf.ln(2)
        pdf.set_text_color(*INK)

    def subheading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def text(self, text: str, *, size: float = 9, style: str = "", color=INK) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, size * 0.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)

    def box(self, lines: list[str], *, alert: bool) -> None:
        """A filled box of short lines (the findings)."""
        pdf = self.pdf
        pdf.set_fill_color(*(ALERT_FILL if alert else OK_FILL))
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(
            0,
            5,
            latin1("\n".join(lines)),
            fill=True,
            padding=(2, 3, 2, 3),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1)

    def table(
        self,
        headings: list[str],
        rows: list[list[str]],
        widths: list[float],
        *,
        numeric: set[int] | frozenset[int] = frozenset(),
        alert_rows: set[int] | frozenset[int] = frozenset(),
        size: float = 8,
        empty: str | None = None,
    ) -> None:
        """A table with a heading row repeated across page breaks; `numeric` columns are
        right-aligned, `alert_rows` highlighted. With no rows, `empty` is printed instead."""
        from fpdf.fonts import FontFace

        pdf = self.pdf
        if not rows:
            if empty:
                self.text(empty, size=8.5, color=MUTED)
                pdf.ln(1)
            return
        pdf.set_font(FONT, "", size)
        pdf.set_text_color(*INK)
        # The table starts from the current graphics state: cells are white unless highlighted.
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(*GRID)
        pdf.set_line_width(0.2)
        align = ["RIGHT" if i in numeric else "LEFT" for i in range(len(headings))]
        with pdf.table(
            col_widths=widths,
            width=min(self.width, sum(widths) * self.width / 100),
            align="LEFT",
            text_align=align,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            line_height=size * 0.48,
            padding=(0.8, 1.2, 0.8, 1.2),
            repeat_headings=1,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(latin1(text))
            for index, values in enumerate(rows):
                style = FontFace(fill_color=ALERT_FILL) if index in alert_rows else None
                row = table.row(style=style)
                for text in values:
                    row.cell(latin1(text))
        pdf.ln(2)

    def bar_chart(
        self,
        title: str,
        labels: list[str],
        values: list[int],
        *,
        height: float = 62,
        alert: set[int] | frozenset[int] = frozenset(),
        empty: str = "no events",
    ) -> None:
        """Vertical bars with a value axis and gridlines, drawn with fpdf2's primitives."""
        pdf = self.pdf
        if pdf.will_page_break(height + 12):
            pdf.add_page()
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*INK)
        pdf.cell(0, 5, latin1(title), new_x="LMARGIN", new_y="NEXT")
        # Room above the plot for the value label of the tallest bar.
        top = pdf.get_y() + 5
        left = pdf.l_margin + 14
        pdf.set_font(FONT, "", 6.5)
        # Labels are set at 50 degrees: their height is about sin(50) times their width.
        longest = max((pdf.get_string_width(latin1(x)) for x in labels), default=0.0)
        label_room = min(4 + longest * 0.77, 26)
        plot_h = height - label_room - 3
        plot_w = self.width - 16
        bottom = top + plot_h
        maximum = max(values, default=0)
        step = nice_step(maximum)
        scale_max = step * max(1, -(-maximum // step)) if maximum else step * 5
        pdf.set_line_width(0.15)
        pdf.set_font(FONT, "", 6.5)
        pdf.set_text_color(*MUTED)
        tick = 0.0
        while tick <= scale_max + 1e-9:
            y = bottom - plot_h * tick / scale_max
            pdf.set_draw_color(*GRID)
            pdf.line(left, y, left + plot_w, y)
            text = f"{int(tick):,}"
            pdf.text(left - 1.5 - pdf.get_string_width(text), y + 1, text)
            tick += step
        pdf.set_draw_color(*MUTED)
        pdf.line(left, top, left, bottom)
        pdf.line(left, bottom, left + plot_w, bottom)
        slot = plot_w / max(1, len(values))
        bar_w = slot * 0.62
        for index, (label, value) in enumerate(zip(labels, values, strict=True)):
            x = left + slot * index + (slot - bar_w) / 2
            if value:
                bar_h = plot_h * value / scale_max
                pdf.set_fill_color(*(ALERT_BAR if index in alert else BAR))
                pdf.rect(x, bottom - bar_h, bar_w, bar_h, style="F")
                pdf.set_font(FONT, "", 6)
                pdf.set_text_color(*INK)
                text = f"{value:,}"
                pdf.text(x + bar_w / 2 - pdf.get_string_width(text) / 2, bottom - bar_h - 1, text)
            pdf.set_font(FONT, "", 6.5)
            pdf.set_text_color(*INK)
            text = latin1(label)
            with pdf.rotation(50, x + bar_w / 2, bottom + 2):
                pdf.text(x + bar_w / 2 - pdf.get_string_width(text), bottom + 3.5, text)
        if not maximum:
            pdf.set_font(FONT, "I", 9)
            pdf.set_text_color(*MUTED)
            pdf.text(left + plot_w / 2 - pdf.get_string_width(empty) / 2, top + plot_h / 2, empty)
        pdf.set_text_color(*INK)
        pdf.set_y(bottom + label_room)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


class FpdfRenderer:
    """The compliance report as an A4 PDF, drawn with fpdf2."""

    def render(self, data: ComplianceData) -> RenderedReport:
        started = clock.perf_counter()
        doc = _Document(data)
        doc.title(data)
        _findings(doc, data)
        _volume(doc, data)
        _integrity(doc, data)
        _backups(doc, data)
        _retention(doc, data)
        _legal_holds(doc, data)
        _sla(doc, data)
        _security(doc, data)
        _gdpr(doc, data)
        _checks(doc, data)
        _freshness(doc, data)
        _notes(doc, data)
        pdf = doc.output()
        return RenderedReport(
            pdf=pdf,
            pages=doc.pdf.pages_count,
            figures=data.figures(),
            seconds=clock.perf_counter() - started,
        )


def _findings(doc: _Document, data: ComplianceData) -> None:
    doc.heading("Findings", room=20)
    findings = data.findings()
    if findings:
        doc.box([f"- {f}" for f in findings], alert=True)
    else:
        doc.box(
            [
                "No exceptions: chains verified VALID, no failed restore verification, no failed "
                "check, no SLA breach, no overdue GDPR request, no freshness violation."
            ],
            alert=False,
        )


def _volume(doc: _Document, data: ComplianceData) -> None:
    volume = data.volume
    doc.heading("1. Audit volume: rows appended on the day", room=90)
    doc.text(
        f"{number(volume.total)} rows were appended to the hash-chained audit tables. "
        "Feeds are the 13 source databases, dagster (the platform's runs and checks), mysql "
        "(schema migrations), platform (full and digest verifications) and other (source-derived "
        "compliance tables, stored documents, retention).",
        size=8.5,
    )
    doc.pdf.ln(1)
    labels = [feed for feed, _ in volume.by_feed]
    values = [rows for _, rows in volume.by_feed]
    doc.bar_chart("Audit rows appended per feed", labels, values, empty="no rows appended")
    half = (len(volume.by_feed) + 1) // 2
    left, right = volume.by_feed[:half], volume.by_feed[half:]
    rows = []
    for index, (feed, count) in enumerate(left):
        other = right[index] if index < len(right) else ("", None)
        rows.append([feed, number(count), other[0], "" if other[1] is None else number(other[1])])
    doc.subheading("Rows appended per feed (the chart's values)")
    doc.table(["Feed", "Rows", "Feed", "Rows"], rows, [30, 20, 30, 20], numeric={1, 3})
    doc.subheading("Rows appended per audit table")
    doc.table(
        ["Audit table", "Streams", "Rows"],
        [[t.table, number(t.streams), number(t.rows)] for t in volume.by_table]
        + [["Total", "", number(volume.total)]],
        [60, 15, 20],
        numeric={1, 2},
        empty="No hash-chained audit table exists.",
    )


def _latest_lines(label: str, latest) -> list[str]:
    if latest is None:
        return [f"{label}: none recorded"]
    lines = [
        f"{label}: {stamp(latest.at)} UTC, {latest.status}, {number(latest.rows)} rows, "
        f"{number(latest.streams)} streams, by {latest.verified_by}"
    ]
    if latest.digest_sha256:
        lines.append(f"    digest SHA-256 {latest.digest_sha256}")
    if latest.digest_location:
        lines.append(f"    stored at {latest.digest_location}")
    if latest.problems:
        lines.append(f"    problems: {short(latest.problems, 300)}")
    return lines


def _coverage(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return "all rows"
    if end is None:
        return f"from {stamp(start)[:10]}"
    if start is None:
        return f"until {stamp(end)[:10]}"
    return f"{stamp(start)[:10]} to {stamp(end)[:10]}"


def _integrity(doc: _Document, data: ComplianceData) -> None:
    integrity = data.integrity
    doc.heading("2. Hash chains and digests", room=60)
    doc.table(
        ["Verification", "Runs", "VALID", "Not VALID", "Rows verified", "Last run (UTC)"],
        [
            [
                k.kind,
                number(k.runs),
                number(k.valid),
                number(k.not_valid),
                number(k.rows_verified),
                stamp(k.last_at),
            ]
            for k in integrity.by_kind
        ],
        [24, 10, 10, 12, 16, 28],
        numeric={1, 2, 3, 4},
        alert_rows={i for i, k in enumerate(integrity.by_kind) if k.not_valid},
    )
    doc.subheading("State as of the end of the day")
    for label, latest in (
        ("Latest full verification", integrity.latest_full),
        ("Latest digest export", integrity.latest_digest_export),
        ("Latest digest check", integrity.latest_digest_check),
    ):
        alert = latest is None or latest.status != "VALID"
        doc.text("\n".join(_latest_lines(label, latest)), size=8, color=ALERT_BAR if alert else INK)


def _backups(doc: _Document, data: ComplianceData) -> None:
    backups = data.backups
    doc.heading("3. Backups and restore verifications", room=40)
    counts = backups.counts
    doc.table(
        ["Action", "Count"],
        [[action, number(n)] for action, n in counts.items()],
        [30, 15],
        numeric={1},
        alert_rows={i for i, (a, n) in enumerate(counts.items()) if a == "VERIFY_FAILED" and n},
    )
    failed = backups.count("VERIFY_FAILED")
    if failed:
        doc.text(
            f"RESTORE VERIFICATION FAILED for {failed} backup(s): see the rows marked below.",
            size=9,
            style="B",
            color=ALERT_BAR,
        )
        doc.pdf.ln(1)
    doc.table(
        ["Time (UTC)", "Document", "Action", "Size (bytes)", "SHA-256", "Details"],
        [
            [
                stamp(e.at)[11:],
                e.document_id,
                e.action,
                number(e.size_bytes),
                (e.sha256 or "-")[:12],
                short(e.details, 120),
            ]
            for e in backups.events
        ],
        [11, 31, 14, 12, 12, 20],
        numeric={3},
        alert_rows={i for i, e in enumerate(backups.events) if e.action == "VERIFY_FAILED"},
        size=7,
        empty="No backup activity was recorded on this day.",
    )


def _retention(doc: _Document, data: ComplianceData) -> None:
    retention = data.retention
    doc.heading("4. Retention actions", room=25)
    if not retention.available:
        doc.text("Not reported: the audit database has no data_retention_schedule table.", size=8.5)
        return
    doc.table(
        ["Audit table", "Outcome", "Actions", "Rows affected"],
        [[a.table, a.status, number(a.actions), number(a.rows_affected)] for a in retention.actions]
        + (
            [
                [
                    "Total",
                    "",
                    number(retention.total()),
                    number(sum(a.rows_affected for a in retention.actions)),
                ]
            ]
            if retention.actions
            else []
        ),
        [45, 20, 15, 20],
        numeric={2, 3},
        alert_rows={i for i, a in enumerate(retention.actions) if a.status == "FAILED"},
        empty="No retention actions were recorded on this day.",
    )


def _legal_holds(doc: _Document, data: ComplianceData) -> None:
    holds = data.legal_holds
    doc.heading("5. Legal holds", room=30)
    doc.text(
        f"Active at the end of the day: {number(len(holds.active))}. "
        + (
            f"Placed on the day: {number(holds.recorded('PLACED'))}. "
            f"Released on the day: {number(holds.recorded('RELEASED'))}."
            if holds.records_available
            else "Placed/released: not reported (no legal_hold_records table)."
        ),
        size=9,
    )
    doc.pdf.ln(1)
    doc.subheading("Active holds (enforced by the purge trigger)")
    doc.table(
        ["Hold", "Matter", "Table", "Stream", "Covers (UTC)", "Placed (UTC)", "By"],
        [
            [
                str(h.hold_id),
                h.legal_matter_id,
                h.table_name or "all tables",
                h.stream_id or "all streams",
                _coverage(h.covers_from, h.covers_to),
                stamp(h.placed_at),
                h.placed_by,
            ]
            for h in holds.active
        ],
        [7, 17, 17, 14, 17, 16, 12],
        size=7,
        empty="No legal hold is active.",
    )
    if holds.records_available:
        doc.subheading("Holds placed or released on the day")
        doc.table(
            ["Time (UTC)", "Hold", "Action", "Matter", "Case"],
            [
                [stamp(r.at)[11:], r.hold_id, r.action, r.legal_matter_id, r.case_name or "-"]
                for r in holds.records
            ],
            [14, 14, 14, 22, 36],
            size=7.5,
            empty="No hold was placed or released on this day.",
        )


def _sla(doc: _Document, data: ComplianceData) -> None:
    sla = data.sla
    doc.heading("6. SLA compliance", room=25)

    def ratio(met: int, breached: int) -> str:
        return f"{met / (met + breached):.1%}" if met + breached else "-"

    rows = [
        [
            r.sla_type,
            number(r.met),
            number(r.breached),
            number(r.pending),
            number(r.total),
            ratio(r.met, r.breached),
        ]
        for r in sla.rows
    ]
    if rows:
        rows.append(
            [
                "Total",
                number(sla.met),
                number(sla.breached),
                number(sla.pending),
                number(sla.met + sla.breached + sla.pending),
                ratio(sla.met, sla.breached),
            ]
        )
    doc.table(
        ["SLA type", "MET", "BREACHED", "PENDING", "Measurements", "Compliance"],
        rows,
        [24, 12, 14, 14, 18, 16],
        numeric={1, 2, 3, 4, 5},
        alert_rows={i for i, r in enumerate(sla.rows) if r.breached},
        empty="No SLA measurement was recorded on this day.",
    )
    doc.text(
        "Compliance = MET / (MET + BREACHED); PENDING measurements are not yet decided.",
        size=7.5,
        color=MUTED,
    )


def _security(doc: _Document, data: ComplianceData) -> None:
    security = data.security
    doc.heading("7. Security events", room=95)
    doc.text(f"{number(security.total)} security events on the day.", size=9)
    hours = [f"{h:02d}" for h in range(24)]
    doc.bar_chart("Security events per hour (UTC)", hours, list(security.by_hour), height=52)
    doc.subheading("Security events per hour (the chart's values)")
    for first in (0, 12):
        doc.table(
            ["Hour", *hours[first : first + 12]],
            [["Events", *(number(n) for n in security.by_hour[first : first + 12])]],
            [12] + [7] * 12,
            numeric=set(range(1, 13)),
            size=7.5,
        )
    doc.subheading("By event type and severity")
    doc.table(
        ["Event type", "Severity", "Events"],
        [[t, s, number(n)] for t, s, n in security.by_type],
        [40, 20, 15],
        numeric={2},
        empty="No security events on this day.",
    )


def _gdpr(doc: _Document, data: ComplianceData) -> None:
    gdpr = data.gdpr
    doc.heading("8. GDPR data subject requests", room=25)
    fields = ("received", "completed", "denied", "answered_late", "still_open", "overdue")
    rows = [[r.request_type, *(number(getattr(r, f)) for f in fields)] for r in gdpr.rows]
    if rows:
        rows.append(["Total", *(number(gdpr.total(f)) for f in fields)])
    doc.table(
        ["Request type", "Received", "Completed", "Denied", "Answered late", "Open", "Overdue"],
        rows,
        [20, 13, 14, 12, 16, 11, 13],
        numeric={1, 2, 3, 4, 5, 6},
        alert_rows={i for i, r in enumerate(gdpr.rows) if r.overdue},
        empty="No GDPR request is recorded.",
    )
    doc.text(
        "As known at the end of the day. Received/answered: on the day; open and overdue "
        "(open past the 30-day legal deadline): at the end of the day.",
        size=7.5,
        color=MUTED,
    )


def _checks(doc: _Document, data: ComplianceData) -> None:
    checks = data.checks
    doc.heading("9. Asset checks (data tests)", room=30)
    doc.table(
        ["Executed", "Passed", "Failed"]
        + [f"Failed {severity}" for severity, _ in checks.failed_by_severity],
        [
            [number(checks.executed), number(checks.passed), number(checks.failed)]
            + [number(n) for _, n in checks.failed_by_severity]
        ],
        [15, 15, 15] + [18] * len(checks.failed_by_severity),
        numeric=set(range(3 + len(checks.failed_by_severity))),
        alert_rows={0} if checks.failed else set(),
    )
    listed = len(checks.failures)
    if checks.failed > listed:
        doc.text(f"The {listed} most recent of {checks.failed} failures are listed.", size=8)
    doc.table(
        ["Time (UTC)", "Check", "Asset", "Partition", "Severity", "Failed rows", "Reason"],
        [
            [
                stamp(f.at)[11:],
                f"FAILED {f.rule_name}",
                f.entity,
                f.partition_key or "-",
                f.severity,
                number(f.records_failed),
                short(f.reason, 100),
            ]
            for f in checks.failures
        ],
        [11, 19, 22, 11, 9, 9, 19],
        numeric={5},
        alert_rows=set(range(listed)),
        size=7,
        empty="No asset check failed on this day.",
    )


def _freshness(doc: _Document, data: ComplianceData) -> None:
    freshness = data.freshness
    doc.heading("10. Freshness violations", room=25)
    if not freshness.available:
        doc.text(f"Not reported: {freshness.note}.", size=8.5)
        return
    doc.text(
        f"Source: {freshness.note}. Assets that turned WARN or FAIL on the day: "
        f"{number(len(freshness.violations))} ({number(freshness.failed)} reached FAIL).",
        size=8.5,
    )
    doc.pdf.ln(1)
    doc.table(
        ["Asset", "Worst state", "Violations", "First (UTC)", "State at end of day"],
        [
            [v.asset, v.worst_state, number(v.transitions), stamp(v.first_at)[11:], v.state_at_end]
            for v in freshness.violations
        ],
        [44, 14, 12, 14, 16],
        numeric={2},
        alert_rows={i for i, v in enumerate(freshness.violations) if v.worst_state == "FAIL"},
        empty="No freshness violation on this day.",
    )


def _notes(doc: _Document, data: ComplianceData) -> None:
    doc.heading("Notes", room=15)
    lines = [
        "Every figure is computed from the append-only, hash-chained audit database, read in "
        "one consistent snapshot through its read-only compliance account where configured. "
        "How each figure is defined: docs/compliance_report.md.",
        *data.notes,
    ]
    doc.text("\n".join(lines), size=7.5, color=MUTED)
