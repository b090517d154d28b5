"""Free-text topics on answers with known themes, and the shipped stop-word lists."""

import pandas as pd

from analysis import text


def test_stop_word_lists_are_shipped_for_german_and_english():
    words = text.stop_words()
    assert {"und", "der", "nicht", "the", "and", "with"} <= words


def test_topics_separate_two_themes_and_drop_stop_words():
    answers = pd.Series(["Die Übersetzung der Befunde ist sehr gut"] * 6 + ["The login and the password reset fail"] * 6
                        + ["Übersetzung Befunde schneller"] * 3 + ["password login broken"] * 3)
    found = text.topics(answers, n_topics=2, seed=0)
    terms = " ".join(found["topics"]["terms"])
    assert "übersetzung" in terms and "password" in terms
    assert not {"die", "der", "the", "and"} & set(terms.replace(",", " ").split())
    topic_of = {t: row.terms.split(", ")[0] for t, row in found["topics"].set_index("topic").iterrows()}
    assert len(set(topic_of.values())) == 2


def test_topics_with_few_answers_give_a_message():
    found = text.topics(pd.Series(["one answer", None, ""]), n_topics=3)
    assert "too few" in found["message"] and found["topics"].empty
