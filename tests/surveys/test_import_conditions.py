"""The condition table of docs/instrument-format.md ("Questionnaires from other tools"), row by row."""

import pytest

from surveys.importers.expressions import Target, Untranslatable, translate

TARGETS = {
    "Q1": Target("q1", "choice", {"A1": "a1", "A2": "a2"}), "q1": Target("q1", "choice", {"a1": "a1"}),
    "Q2_SQ001": Target("q2", "option", option="sq001"), "q2": Target("q2", "multi", {"x": "x"}),
    "q2(3)": Target("q2", "option", option="c3"), "Q4": Target("q4", "number"), "q4": Target("q4", "number"),
    "pain": Target("pain", "choice", {"1": "c1", "2": "c2", "3": "c3"}),
}


def resolve(name):
    if name not in TARGETS:
        raise Untranslatable(f"{name!r} unknown")
    return TARGETS[name]


@pytest.mark.parametrize("dialect, expression, expected", [
    ("limesurvey", 'Q1.NAOK == "A1"', {"item": "q1", "equals": "a1"}),
    ("limesurvey", 'Q1 eq "A1"', {"item": "q1", "equals": "a1"}),
    ("xlsform", "${q1} = 'a1'", {"item": "q1", "equals": "a1"}),
    ("xlsform", "${q1} = ‘a1’", {"item": "q1", "equals": "a1"}),
    ("redcap", '[q1] = "a1"', {"item": "q1", "equals": "a1"}),
    ("limesurvey", 'Q1.NAOK != "A1"', {"not": {"item": "q1", "equals": "a1"}}),
    ("redcap", "[q1] <> 'a1'", {"not": {"item": "q1", "equals": "a1"}}),
    ("limesurvey", 'Q2_SQ001.NAOK == "Y"', {"item": "q2", "includes": "sq001"}),
    ("xlsform", "selected(${q2}, 'x')", {"item": "q2", "includes": "x"}),
    ("redcap", '[q2(3)] = "1"', {"item": "q2", "includes": "c3"}),
    ("redcap", '[q2(3)] = "0"', {"not": {"item": "q2", "includes": "c3"}}),
    ("limesurvey", "is_empty(Q1)", {"item": "q1", "answered": False}),
    ("limesurvey", "!is_empty(Q1.NAOK)", {"item": "q1", "answered": True}),
    ("xlsform", "${q1} != ''", {"item": "q1", "answered": True}),
    ("limesurvey", "Q4 >= 3", {"item": "q4", "gte": 3}),
    ("xlsform", "${q4} <= 2.5", {"item": "q4", "lte": 2.5}),
    ("limesurvey", "Q4.NAOK < 3", {"all": [{"item": "q4", "answered": True}, {"not": {"item": "q4", "gte": 3}}]}),
    ("limesurvey", '(Q1 == "A1" && Q4 > 1) || not Q4 <= 2',
     {"any": [{"all": [{"item": "q1", "equals": "a1"},
                       {"all": [{"item": "q4", "answered": True}, {"not": {"item": "q4", "lte": 1}}]}]},
              {"not": {"item": "q4", "lte": 2}}]}),
    ("xlsform", "not(${q4} >= 2) and ${q1} = 'a1'", {"all": [{"not": {"item": "q4", "gte": 2}}, {"item": "q1", "equals": "a1"}]}),
    ("redcap", "[pain] >= 2", {"item": "pain", "in": ["c2", "c3"]}),
    ("limesurvey", "1", None),
])
def test_comparisons_of_earlier_answers_are_translated(dialect, expression, expected):
    assert translate(expression, dialect, resolve) == expected


@pytest.mark.parametrize("dialect, expression, reason", [
    ("limesurvey", "sum(Q4.NAOK, 1) > 2", "does not compare an answer"),
    ("limesurvey", 'Q1.shown == "A1"', "cannot read"),
    ("xlsform", "count-selected(${q2}) > 1", "does not compare an answer"),
    ("xlsform", "${q2} = 'x'", "holds several answers"),
    ("redcap", "[event_1_arm_1][q1] = 'a1'", "another event"),
    ("limesurvey", 'Q9 == "A1"', "'Q9' unknown"),
    ("limesurvey", 'Q1 == "A7"', "'A7' is not an option of q1"),
    ("limesurvey", 'Q1 > "A1"', "> on a choice answer whose codes are not numbers"),
])
def test_anything_else_is_untranslatable_with_a_reason(dialect, expression, reason):
    with pytest.raises(Untranslatable, match=reason):
        translate(expression, dialect, resolve)
