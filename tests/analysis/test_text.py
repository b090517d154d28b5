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
    topics = found["topics"].dropna(subset=["topic"])  # the last row counts answers with no topic
    topic_of = {t: row.terms.split(", ")[0] for t, row in topics.set_index("topic").iterrows()}
    assert len(set(topic_of.values())) == 2


def test_topics_with_few_answers_give_a_message():
    found = text.topics(pd.Series(["one answer", None, ""]), n_topics=3)
    assert "too few" in found["message"] and found["topics"].empty


def test_terms_are_only_words_with_weight_and_answers_without_a_topic_have_their_own_row():
    # Two themes of two words each: a topic has two words of weight above 0, never eight. Four answers
    # share no word with the vocabulary ("ok", too short; "danke", once only) and belong to no topic.
    answers = pd.Series(["Übersetzung Befunde"] * 5 + ["Login Passwort"] * 5 + ["ok", "danke", "ok.", "-"])
    found = text.topics(answers, n_topics=2, n_terms=8, seed=0)
    table = found["topics"]
    assert sorted(table["terms"]) == ["befunde, übersetzung", "login, passwort", "no topic"]
    assert table.loc[table["terms"] == "no topic", "n_answers"].item() == 4
    assert table["n_answers"].sum() == len(answers)
    assert found["message"] == ""  # the factorisation converged


def test_german_fillers_are_stop_words():
    assert {"gut", "wäre", "wären"} <= text.stop_words()


def test_above_the_fit_sample_topics_are_fitted_on_a_sample_and_every_answer_is_counted(monkeypatch):
    """60 answers with a fit sample of 20: the two themes are found from the sample, all 60 answers are
    counted (31 and 25 by hand, the four without a known word in their own row), and the message says so."""
    answers = pd.Series(["Übersetzung Befunde"] * 25 + ["Login Passwort"] * 15 + ["Übersetzung Befunde schneller"] * 6
                        + ["Passwort Login kaputt"] * 10 + ["ok", "danke", "ok.", "-"])
    full = text.topics(answers, n_topics=2, seed=0)
    monkeypatch.setattr(text, "FIT_SAMPLE", 20)
    sampled = text.topics(answers, n_topics=2, seed=0)

    table = sampled["topics"].set_index("terms")["n_answers"]
    assert table.sum() == 60 and table["no topic"] == 4
    assert sorted(n for terms, n in table.items() if terms != "no topic") == [25, 31]
    assert {frozenset(t.split(", ")[:2]) for t in sampled["topics"]["terms"][:2]} == \
        {frozenset(t.split(", ")[:2]) for t in full["topics"]["terms"][:2]}
    assert sampled["message"].startswith("topics fitted on a random sample of 20 of 60 answers; every answer counted")


def test_answers_given_many_times_get_the_topics_of_a_fit_on_every_copy():
    """Copies are fitted once, weighted: the topics must be scikit-learn's own NMF on the matrix with every copy,
    fitted here beside it, and so must the answers per topic. Six answers given 7 to 67 times each; weighting a
    copied row by its number instead of its square root gives other topics for these answers."""
    import numpy as np
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    given = {"Arztbriefe Login schneller": 7, "Übersetzung Befunde": 67, "Labor Arztbriefe Radiologie": 14,
             "Vorlagen schneller Arztbriefe": 39, "kaputt Übersetzung Passwort": 60, "Befunde Labor schneller": 53}
    answers = pd.Series([answer for answer, copies in given.items() for _ in range(copies)])
    found = text.topics(answers, n_topics=3, n_terms=3, seed=0)

    vectorizer = TfidfVectorizer(stop_words=sorted(text.stop_words()), min_df=2, max_df=0.9,
                                 token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    matrix = vectorizer.fit_transform(answers)
    every_copy = NMF(n_components=3, init="nndsvd", random_state=0, max_iter=text.MAX_ITER)
    weights = every_copy.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    expected = [", ".join(terms[np.argsort(-row, kind="stable")[:3]]) for row in every_copy.components_]
    assert list(found["topics"]["terms"][:3]) == expected
    assert list(found["topics"]["n_answers"][:3]) == [int((weights.argmax(axis=1) == t).sum()) for t in range(3)]
    assert found["message"] == ""
