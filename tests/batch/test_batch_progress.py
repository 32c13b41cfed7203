"""Progress without a terminal: a log line at most every few seconds, with rows, rate and the
time left."""

from __future__ import annotations

import io

from subsidy_engine.batch.progress import log_progress, rate_text


def test_the_rate_and_the_time_left() -> None:
    assert (
        rate_text(12_000, 4.0, 100_000)
        == "12,000 of 100,000 rows (12%), 3,000 rows/s, about 29 s left"
    )
    assert rate_text(300_000, 100.0, 1_000_000) == (
        "300,000 of 1,000,000 rows (30%), 3,000 rows/s, about 3 min 53 s left"
    )
    assert rate_text(5_000, 2.0, None) == "5,000 rows, 2,500 rows/s"
    assert rate_text(100, 1.0, 100) == "100 of 100 rows (100%), 100 rows/s"


def test_a_line_at_most_every_interval() -> None:
    now = [0.0]
    out = io.StringIO()
    report = log_progress(out, 1_000, every=5.0, clock=lambda: now[0])
    for second, rows in ((1.0, 100), (4.9, 200), (5.0, 250), (7.0, 300), (10.0, 500)):
        now[0] = second
        report(rows)
    assert out.getvalue().splitlines() == [
        "scoring: 250 of 1,000 rows (25%), 50 rows/s, about 15 s left",
        "scoring: 500 of 1,000 rows (50%), 50 rows/s, about 10 s left",
    ]
