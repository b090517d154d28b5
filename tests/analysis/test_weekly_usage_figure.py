"""The weekly active users and tokens figure, drawn from the platform summary like every other figure."""

from analysis.pipeline.figures import has_usage, weekly_usage, weekly_usage_figure


def summary(users, last_week_days=7):
    weeks = ["2026-08-03", "2026-08-10", "2026-08-17"]
    days = [7, 7, last_week_days]
    return {
        "weekly_active_users": [{"week": w, "active_users": u, "days": d} for w, u, d in zip(weeks, users, days)],
        "daily": [{"day": "2026-08-04", "tokens_in": 1000, "tokens_out": 3000},
                  {"day": "2026-08-12", "tokens_in": 500, "tokens_out": 500}],
        "totals": {"tokens_in": 1500, "tokens_out": 3500},
    }


def test_a_summary_of_zeros_means_no_usage_data():
    empty = summary([0, 0, 0]) | {"totals": {"tokens_in": 0, "tokens_out": 0}}
    assert not has_usage(empty) and not has_usage(None)
    assert has_usage(summary([12, 0, 3]))


def test_weeks_sum_daily_tokens_and_suppress_small_user_counts():
    rows = weekly_usage(summary([12, 0, 3]), threshold=5)
    assert list(rows.itertuples(index=False, name=None)) == [
        ("2026-08-03", 12, 4000.0), ("2026-08-10", 0, 1000.0), ("2026-08-17", None, 0.0)]


def test_a_week_only_partly_in_the_usage_window_is_left_out_of_the_trend():
    rows = weekly_usage(summary([12, 10, 9], last_week_days=2), threshold=5)
    assert list(rows["week"]) == ["2026-08-03", "2026-08-10"]


def test_the_figure_is_written_as_svg_and_pdf_with_the_small_week_marked(tmp_path):
    svg = weekly_usage_figure(summary([12, 0, 3]), 5, tmp_path, "de")
    assert svg == tmp_path / "platform_weekly.svg" and (tmp_path / "platform_weekly.pdf").exists()
    assert "&lt;5" in svg.read_text(encoding="utf-8")
    assert "Aktive Nutzende" in svg.read_text(encoding="utf-8")
    assert weekly_usage_figure(None, 5, tmp_path / "none") is None
