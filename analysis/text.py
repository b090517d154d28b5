"""Topics in free-text answers: TF-IDF + NMF, with German and English stop words shipped
as package data (analysis/stopwords/*.txt)."""

from __future__ import annotations

import warnings
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd


MAX_ITER = 10_000  # coordinate descent on a few hundred short answers converges well within this
FIT_SAMPLE = 5_000  # answers above which the topics are fitted on a seeded sample of this size (Notes)
NO_TOPIC = "no topic"


@lru_cache(maxsize=None)
def stop_words(languages: tuple[str, ...] = ("de", "en")) -> frozenset[str]:
    words = set()
    for language in languages:
        text = resources.files("analysis").joinpath("stopwords", f"{language}.txt").read_text(encoding="utf-8")
        words |= {w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words)


def topics(texts: pd.Series, n_topics: int = 3, n_terms: int = 8, n_examples: int = 3, seed: int = 0) -> dict:
    """Topics in free-text answers: TF-IDF and non-negative matrix factorisation.

    Parameters
    ----------
    texts : pandas.Series
    n_topics, n_terms, n_examples : int
        Topics, top terms per topic, example answers per topic.
    seed : int
        Seed of the NMF initialisation.

    Returns
    -------
    dict
        ``topics`` (``topic``, ``terms``, ``n_answers``; a last row with ``topic`` empty and
        ``terms`` "no topic" counts the answers none of whose words is in the vocabulary),
        ``examples`` (example answers per topic), ``fitted_on`` (answers the topics were fitted on, fewer
        than ``answers`` above ``FIT_SAMPLE``) and ``message`` when there are too few answers, the
        factorisation did not converge or was fitted on a sample.

    Notes
    -----
    NMF (Lee & Seung, 1999) gives additive, readable topics for short answers; examples are the
    answers with the highest topic weight; German and English stop words are removed. A topic's
    terms are those with weight above 0 (at most ``n_terms``); an answer belongs to the topic of
    its highest weight, and to none when every weight is 0.

    Above ``FIT_SAMPLE`` (5,000) answers the topics (NMF's term weights) are fitted on 5,000 answers drawn
    without replacement with the seed, and every answer's weights are then computed against those fixed
    topics (NMF's ``transform``: a non-negative least-squares fit per answer). Each iteration of the fit
    costs time in proportion to the answers, and short answers often run to the iteration limit; a random
    sample of 5,000 estimates topics of the whole as well as it estimates their shares, and the counts,
    examples and "no topic" row still cover every answer. The vocabulary (TF-IDF) comes from all answers.
    Up to 5,000 answers nothing changes; above, the message says so.

    Identical answers ("keine", "Datenschutz") are fitted once, their row scaled by the square root of their
    number: NMF's objective, the squared distance summed over rows, and its gradient are then those of every
    copy, and so are the topics (equal to 1e-13 where the copies ran to the iteration limit; within the
    stopping tolerance otherwise). Many copies of one row had kept the fit from meeting its tolerance.

    References
    ----------
    Lee, D. D., & Seung, H. S. (1999). Nature, 401, 788-791.

    Examples
    --------
    >>> found = topics(pd.Series(["ok"]), n_topics=2)
    >>> bool(found["message"])
    True
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    answers = texts.dropna().astype(str).str.strip()
    answers = answers[answers != ""]
    empty = {"topics": pd.DataFrame(columns=["topic", "terms", "n_answers"]),
             "examples": pd.DataFrame(columns=["topic", "text"])}
    if len(answers) < max(2 * n_topics, 5):
        empty["message"] = f"{len(answers)} answer(s): too few for {n_topics} topics"
        return empty
    vectorizer = TfidfVectorizer(stop_words=sorted(stop_words()), min_df=2, max_df=0.9,
                                 token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    try:
        matrix = vectorizer.fit_transform(answers)
    except ValueError:
        empty["message"] = "no word occurs in two or more answers: no topics"
        return empty
    k = min(n_topics, matrix.shape[1])
    model = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=MAX_ITER)
    sampled = matrix.shape[0] > FIT_SAMPLE
    # See the Notes; the rows are in the caller's (canonical) order, so the draw is too.
    fitted = np.sort(np.random.default_rng(seed).choice(matrix.shape[0], FIT_SAMPLE, replace=False)) if sampled \
        else np.arange(matrix.shape[0])
    _, first, copies = np.unique(answers.to_numpy(dtype=str)[fitted], return_index=True, return_counts=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        weights = model.fit(matrix[fitted[first]].multiply(np.sqrt(copies)[:, None]).tocsr()).transform(matrix)
    # Only a ConvergenceWarning says the iteration limit was hit; NNDSVD's sqrt of a zero singular pair
    # raises a harmless RuntimeWarning that once read as "stopped at its iteration limit".
    stopped = any(issubclass(warning.category, ConvergenceWarning) for warning in caught)
    messages = [f"topics fitted on a random sample of {FIT_SAMPLE:,} of {matrix.shape[0]:,} answers; every "
                f"answer counted" if sampled else "",
                "NMF stopped at its iteration limit: topics are approximate" if stopped else ""]
    message = "; ".join(filter(None, messages))
    terms = np.array(vectorizer.get_feature_names_out())
    dominant = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    rows, examples = [], []
    for t in range(k):
        order = np.argsort(-model.components_[t], kind="stable")[:n_terms]
        top = terms[order[model.components_[t][order] > 0]]
        rows.append({"topic": t + 1, "terms": ", ".join(top), "n_answers": int((dominant == t).sum())})
        best = np.argsort(-weights[:, t], kind="stable")[:n_examples]
        examples += [{"topic": t + 1, "text": answers.iloc[i]} for i in best if weights[i, t] > 0]
    rows.append({"topic": None, "terms": NO_TOPIC, "n_answers": int((dominant == -1).sum())})
    return {"topics": pd.DataFrame(rows), "examples": pd.DataFrame(examples, columns=["topic", "text"]),
            "answers": matrix.shape[0], "fitted_on": FIT_SAMPLE if sampled else matrix.shape[0], "message": message}
