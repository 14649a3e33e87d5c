"""The fuzzing's summary: one line per role at the end of the run (also under pytest-xdist: the
lines travel with the test reports as ``user_properties``)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "fuzz"
    ]
    if lines:
        terminalreporter.section("API fuzzing against /api/schema/")
        for line in sorted(lines):
            terminalreporter.write_line(line)
