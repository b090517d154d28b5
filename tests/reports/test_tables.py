"""Table cells as the PDF marks them, and which tables may break across pages (reports.tables.Table)."""

from reports.tables import Table


def test_a_p_value_below_001_is_no_suppressed_cell():
    # Before, every cell starting with "<" was styled as suppressed and brought the "<5" note to a table of
    # correlations whose only "<" was p < .001.
    table = Table("correlations", "Correlations", ["Scale", "n", "p"], [["SUS", "<5", "< .001"], ["NPS", "(s)", ".040"]],
                  numeric=[1, 2])
    assert [classes for _cell, classes in table.cells[0]] == ["", "num sup", "num"]
    assert [classes for _cell, classes in table.cells[1]] == ["", "num sup", "num"]
    assert table.suppressed and table.secondary
    assert not Table("p", "p", ["p"], [["< .001"]]).suppressed


def test_a_table_breaks_across_pages_only_when_it_may_be_taller_than_a_page():
    answers = Table("department", "Department", ["Answer", "n", "% of valid"],
                    [[f"Department number {i}", "12", "6.0 %"] for i in range(16)])
    tests = Table("comparisons", "Group comparisons", ["Outcome", "Grouped by", "Test", "p (adjusted)"],
                  [["SUS score (0–100)", "Role", "H(6, N = 172) = 8.18, p = .225, ε² = .05, η²_H = .01; Holm-adjusted "
                    "p > .999 (family of 8)", "> .999"]] * 16)
    assert not answers.long and tests.long
