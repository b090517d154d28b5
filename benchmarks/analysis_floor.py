"""The floor of benchmarks/analysis_bench.py: the statistics of the default analysis, recomputed directly.

    .venv/bin/python benchmarks/analysis_floor.py DIR    # DIR holds responses.csv, codebook.csv, population.csv

What the demo plan (analysis/plans/demo.yaml) computes on a wave, written again with pandas, NumPy,
SciPy, statsmodels, scikit-learn and factor_analyzer, without the analysis package: the same tests,
models and resampling sizes (10,000 Monte Carlo tables per Fisher-Freeman-Halton test, 100 random
data sets per parallel analysis, 25 k-means starts and 20 bootstrap samples of 5 starts per k), and
no figures, tables or files. It prints `{"values": N, "seconds": S, "cpu_seconds": C}` on its last line;
analysis_bench.py runs it in a fresh process beside the analysis of the same files.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

SEED = 20250101
SCALES = {"performance_expectancy": 3, "reliability_competence": 5, "trust_in_automation": 1}  # min items
MARGINS = {"role": {1: 0.22, 2: 0.34, 3: 0.12, 4: 0.10, 5: 0.05, 6: 0.12, 7: 0.05}}
CATEGORICAL = ["role", "department", "frequency", "compare_commercial", "slow_times", "checked_rules"]
LIKERT = ["experience_ai", "overall_satisfaction", "rel_availability", "rel_speed", "rel_answer_quality",
          "hallucinations", "rules_clarity", "aware_onprem"]
MULTI = ["non_use_reasons", "use_cases", "models_used", "data_kinds", "sensitive_purpose", "missing_features"]
MATRICES = {"availability_quality": ["rel_availability", "rel_speed", "rel_answer_quality"]}


def load(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    codebook = pd.read_csv(directory / "codebook.csv", dtype=str, keep_default_na=False)
    raw = pd.read_csv(directory / "responses.csv", low_memory=False)
    data = raw.copy()
    for row in codebook[codebook["missing_codes"] != ""].itertuples():
        if row.variable in data:
            data[row.variable] = data[row.variable].where(~data[row.variable].isin(json.loads(row.missing_codes)))
    return raw, data, codebook


def mean_ci(values: pd.Series) -> list[float]:
    values = values.dropna()
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return [len(values), values.mean(), values.std(ddof=1), values.mean() - half, values.mean() + half]


def alpha(items: np.ndarray) -> float:
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))


def minres(corr: np.ndarray, factors: int) -> np.ndarray:
    """Minimum-residual loadings: minimise the off-diagonal residuals over the uniquenesses."""
    def loadings(psi):
        values, vectors = np.linalg.eigh(corr - np.diag(psi))
        top = np.argsort(values)[::-1][:factors]
        return vectors[:, top] * np.sqrt(np.clip(values[top], 0, None))

    def residual(psi):
        fitted = loadings(psi)
        return np.sum(np.triu(corr - fitted @ fitted.T, 1) ** 2)

    start = 1 - 1 / np.diag(np.linalg.inv(corr))
    psi = optimize.minimize(residual, 1 - start, method="L-BFGS-B", bounds=[(0.005, 1)] * len(corr)).x
    return loadings(psi)


def reliability(items: pd.DataFrame) -> list[float]:
    data = items.dropna().to_numpy(float)
    n, k = data.shape
    if k == 2:
        r = np.corrcoef(data, rowvar=False)[0, 1]
        return [n, 2 * r / (1 + r), alpha(data)]
    a = alpha(data)
    values = [n, a, 1 - (1 - a) * stats.f.isf(0.025, n - 1, (n - 1) * (k - 1)),
              1 - (1 - a) * stats.f.isf(0.975, n - 1, (n - 1) * (k - 1))]
    loadings = minres(np.corrcoef(data, rowvar=False), 1)[:, 0]
    values.append(loadings.sum() ** 2 / (loadings.sum() ** 2 + np.sum(1 - loadings ** 2)))
    total = data.sum(axis=1)
    for i in range(k):
        rest = np.delete(data, i, axis=1)
        values += [data[:, i].mean(), data[:, i].std(ddof=1), np.corrcoef(data[:, i], total - data[:, i])[0, 1],
                   alpha(rest)]
    return values


def holm(p: list[float]) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, float)
    adjusted = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    adjusted[ok] = multipletests(p[ok], method="holm")[1]
    return adjusted


def rank_test(values: pd.Series, groups: pd.Series) -> list[float]:
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    parts = {g: part["v"].to_numpy() for g, part in frame.groupby("g")}
    out = []
    for part in parts.values():
        out += [len(part), np.median(part), *np.quantile(part, [0.25, 0.75]), part.mean(), part.std(ddof=1)]
    h, p = stats.kruskal(*parts.values())
    n, k = len(frame), len(parts)
    out += [h, p, h / (n - 1), (h - k + 1) / (n - k)]
    ranks = stats.rankdata(np.concatenate(list(parts.values())))
    _, ties = np.unique(frame["v"], return_counts=True)
    variance = n * (n + 1) / 12 - np.sum(ties ** 3 - ties) / (12 * (n - 1))
    mean_ranks, start = {}, 0
    for g, part in parts.items():
        mean_ranks[g], start = ranks[start:start + len(part)].mean(), start + len(part)
    pairs = []
    for a, b in itertools.combinations(parts, 2):
        z = (mean_ranks[a] - mean_ranks[b]) / np.sqrt(variance * (1 / len(parts[a]) + 1 / len(parts[b])))
        pairs.append(2 * stats.norm.sf(abs(z)))
    return out + pairs + list(holm(pairs)) + [p]


def contingency(x: pd.Series, y: pd.Series) -> list[float]:
    table = pd.crosstab(x, y).to_numpy()
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    chi2, p, df, expected = stats.chi2_contingency(table, correction=table.shape == (2, 2))
    uncorrected = stats.chi2_contingency(table, correction=False)[0]
    out = [chi2, df, np.sqrt(uncorrected / (table.sum() * (min(table.shape) - 1))), expected.min()]
    if table.shape != (2, 2) and (expected < 5).mean() > 0.2:
        method = stats.MonteCarloMethod(n_resamples=10_000, rng=np.random.default_rng(SEED))
        p = stats.fisher_exact(table, method=method).pvalue
    elif table.shape == (2, 2) and (expected < 5).any():
        p = stats.fisher_exact(table).pvalue
        estimate = stats.contingency.odds_ratio(table, kind="conditional")
        out += [estimate.statistic, *estimate.confidence_interval(0.95)]
    return out + [p]


def spearman(x: pd.Series, y: pd.Series) -> list[float]:
    both = pd.DataFrame({"x": x, "y": y}).dropna()
    rho, p = stats.spearmanr(both["x"], both["y"])
    se = 1.06 / np.sqrt(len(both) - 3)  # Fieller, Hartley & Pearson (1957)
    return [len(both), rho, p, np.tanh(np.arctanh(rho) - 1.96 * se), np.tanh(np.arctanh(rho) + 1.96 * se)]


def ordinal(frame: pd.DataFrame, outcome: str, predictors: list[str]) -> list[float]:
    import statsmodels.api as sm
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    data = frame[[outcome, *predictors]].dropna()
    y, x = data[outcome], data[predictors].astype(float)
    levels = sorted(y.unique())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(pd.Series(pd.Categorical(y, categories=levels, ordered=True), index=y.index), x,
                           distr="logit").fit(method="bfgs", disp=False, maxiter=1000)
        binary = [sm.Logit((y > level).astype(float), sm.add_constant(x)).fit(disp=False, maxiter=200)
                  for level in levels[:-1]]
    design = sm.add_constant(x).to_numpy()
    k, cuts = x.shape[1], len(levels) - 1
    p = [b.predict(sm.add_constant(x)).to_numpy() for b in binary]
    inverse = [np.linalg.pinv(design.T @ (design * (q * (1 - q))[:, None])) for q in p]
    variance = np.zeros((cuts * k, cuts * k))
    for m, l in itertools.combinations_with_replacement(range(cuts), 2):
        w = p[m] * (1 - p[m]) if m == l else p[l] - p[m] * p[l]
        block = (inverse[m] @ (design.T @ (design * w[:, None])) @ inverse[l])[1:, 1:]
        variance[m * k:(m + 1) * k, l * k:(l + 1) * k] = block
        variance[l * k:(l + 1) * k, m * k:(m + 1) * k] = block.T
    stacked = np.concatenate([b.params.to_numpy()[1:] for b in binary])
    contrast = np.hstack([np.tile(np.eye(k), (cuts - 1, 1)), -np.eye((cuts - 1) * k)])
    difference = contrast @ stacked
    brant = float(difference @ np.linalg.pinv(contrast @ variance @ contrast.T) @ difference)
    return [*fit.params, *fit.bse, *fit.pvalues, 1 - fit.llf / fit.llnull, 2 * (fit.llf - fit.llnull), brant,
            stats.chi2.sf(brant, (cuts - 1) * k)]


def linear(frame: pd.DataFrame) -> list[float]:
    import statsmodels.formula.api as smf

    fit = smf.ols("sus_score ~ C(frequency) + experience_ai", data=frame).fit(cov_type="HC3")
    return [*fit.params, *fit.bse, *fit.pvalues, fit.rsquared, fit.rsquared_adj, fit.fvalue, fit.f_pvalue]


def efa(items: pd.DataFrame) -> list[float]:
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo
    from factor_analyzer.rotator import Rotator

    data = items.dropna().to_numpy(float)
    n, p = data.shape
    corr = np.corrcoef(data, rowvar=False)
    observed = np.sort(np.linalg.eigvalsh(corr))[::-1]
    # Random correlation matrices drawn as Wishart(n - 1, I) cross products, as the analysis does (analysis/factors.py).
    from scipy.stats import wishart

    draws = wishart(df=n - 1, scale=np.eye(p)).rvs(size=100, random_state=np.random.default_rng(SEED))
    scale = 1 / np.sqrt(np.diagonal(draws, axis1=1, axis2=2))
    simulated = np.sort(np.linalg.eigvalsh(draws * scale[:, :, None] * scale[:, None, :]), axis=1)[:, ::-1]
    retain = int(np.cumprod(observed > np.quantile(simulated, 0.95, axis=0)).sum())
    loadings = minres(corr, max(retain, 1))
    if loadings.shape[1] > 1:
        loadings = Rotator(method="oblimin").fit_transform(loadings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmo = calculate_kmo(data)[1]
        bartlett = calculate_bartlett_sphericity(data)
    return [kmo, *bartlett, *observed, *loadings.ravel()]


def personas(features: pd.DataFrame) -> list[float]:
    import sklearn.cluster  # noqa: F401 - loads OpenMP before the limit, as the analysis does
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score
    from threadpoolctl import threadpool_limits

    data = features[features.notna().any(axis=1)].dropna()
    data = data.loc[:, data.std() > 0]
    data = data.iloc[np.lexsort(data.to_numpy().T[::-1])]
    z = ((data - data.mean()) / data.std(ddof=0)).to_numpy()
    rng = np.random.default_rng(SEED)
    # Above 5,000 rows the analysis fits each k on 5,000 rows and assigns every row (CLARA), and scores
    # stability (m-out-of-n bootstrap samples) and the silhouette on the fitted rows (docs/analysis-plan.md,
    # "Personas"); the floor computes the same estimates, each silhouette with scikit-learn.
    cap = 5_000
    samples = [rng.integers(0, len(z), min(len(z), cap)) for _ in range(20)]
    scored = np.sort(rng.choice(len(z), cap, replace=False)) if len(z) > cap else np.arange(len(z))
    out = []
    with threadpool_limits(limits=1):
        for k in range(2, 6):
            labels = KMeans(n_clusters=k, n_init=25, random_state=SEED).fit(z[scored]).predict(z)
            out.append(np.mean([adjusted_rand_score(labels[scored], KMeans(n_clusters=k, n_init=5, random_state=SEED)
                                                    .fit(z[s]).predict(z[scored])) for s in samples]))
            out.append(silhouette_score(z[scored], labels[scored]))
    return out


def rake(frame: pd.DataFrame, margins: dict) -> np.ndarray:
    weights = np.ones(len(frame))
    for _ in range(100):
        change = 0.0
        for variable, shares in margins.items():
            cells = frame[variable].to_numpy()
            total = sum(shares.values())
            for level, share in shares.items():
                inside = cells == level
                factor = share / total / (weights[inside].sum() / weights.sum())
                weights[inside] *= factor
                change = max(change, abs(factor - 1))
        if change < 1e-8:
            break
    return weights / weights.mean()


def weighted(values: pd.Series, weights: np.ndarray) -> list[float]:
    ok = values.notna().to_numpy()
    y, w = values.to_numpy(float)[ok], weights[ok]
    mean = np.sum(w * y) / w.sum()
    se = np.sqrt(len(y) / (len(y) - 1) * np.sum((w * (y - mean) / w.sum()) ** 2))
    return [mean, se, mean - 1.96 * se, mean + 1.96 * se, w.sum() ** 2 / np.sum(w ** 2)]


def topics(texts: pd.Series) -> list[float]:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    stop = set()
    for path in (Path(__file__).resolve().parents[1] / "analysis" / "stopwords").glob("*.txt"):
        stop |= {w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines()
                 if w.strip() and not w.startswith("#")}
    answers = texts.dropna().astype(str).str.strip()
    matrix = TfidfVectorizer(stop_words=sorted(stop), min_df=2, max_df=0.9,
                             token_pattern=r"(?u)\b[^\W\d_]{3,}\b").fit_transform(answers[answers != ""])
    model = NMF(n_components=3, init="nndsvd", random_state=SEED, max_iter=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if matrix.shape[0] > 5_000:  # fitted on a seeded sample of 5,000 answers, as the analysis (analysis/text.py)
            sample = np.sort(np.random.default_rng(SEED).choice(matrix.shape[0], 5_000, replace=False))
            weights = model.fit(matrix[sample]).transform(matrix)
        else:
            weights = model.fit_transform(matrix)
    return list(np.bincount(weights.argmax(axis=1), minlength=3))


def floor(directory: Path) -> list[float]:
    raw, data, codebook = load(directory)
    population = pd.read_csv(directory / "population.csv")
    values: list[float] = []
    values += list(raw["status"].value_counts()) + list(raw["last_page"].value_counts())
    frame = data[data["status"] == "completed"].copy()
    values.append((frame["duration_seconds"] < frame["duration_seconds"].median() / 3).sum())
    columns = codebook.set_index("variable")
    items = {name: list(columns.index[columns["instrument"] == name]) for name in ("sus", "tam_pe", "trust")}
    for matrix in [*MATRICES.values(), *items.values()]:
        answered = frame[matrix].notna().sum(axis=1) >= 3
        values.append((answered & (frame[matrix].nunique(axis=1) == 1)).sum())
    # Scores
    sus = frame[items["sus"]]
    contributions = np.where(np.arange(10) % 2 == 0, sus - 1, 5 - sus)
    frame["sus_score"] = np.where(sus.notna().all(axis=1), 2.5 * np.nansum(contributions, axis=1), np.nan)
    values += mean_ci(frame["sus_score"])
    nps = frame["nps"].dropna()
    values += [100 * ((nps >= 9).mean() - (nps <= 6).mean())]
    for scale, minimum in SCALES.items():
        members = list(columns.index[columns["scale"] == scale])
        scored = frame[members].copy()
        for item in members:
            if columns.loc[item, "reverse_coded"] == "1":
                scored[item] = float(columns.loc[item, "min"]) + float(columns.loc[item, "max"]) - scored[item]
        frame[scale] = scored.mean(axis=1).where(scored.notna().sum(axis=1) >= minimum)
        values += mean_ci(frame[scale])
    # Descriptives
    for column in [*CATEGORICAL, *LIKERT, *items["sus"], *items["tam_pe"], *items["trust"]]:
        counts = raw.loc[frame.index, column].value_counts(dropna=False)
        values += list(counts) + list(100 * counts / counts.sum())
    for block in MULTI:
        options = [c for c in frame if c.startswith(f"{block}__") and not c.endswith("__other_text")]
        values += list(frame[options].mean() * 100) + list(frame[options].sum())
    for column in ("duration_seconds", "nps"):
        values += list(frame[column].describe())
    # Reliability
    sus_items = pd.DataFrame(np.where(np.arange(10) % 2 == 0, sus - 1, 5 - sus), columns=items["sus"])
    values += reliability(sus_items)
    for scale in SCALES:
        members = list(columns.index[columns["scale"] == scale])
        scored = frame[members].copy()
        for item in members:
            if columns.loc[item, "reverse_coded"] == "1":
                scored[item] = 6 - scored[item]
        values += reliability(scored)
    # Comparisons
    family = []
    for outcome, by in (("sus_score", "role"), ("sus_score", "frequency"), ("overall_satisfaction", "role"),
                        ("overall_satisfaction", "frequency"), ("performance_expectancy", "role"),
                        ("reliability_competence", "frequency")):
        found = rank_test(frame[outcome], frame[by])
        values += found
        family.append(found[-1])
    for outcome in ["frequency", "compare_commercial", *[c for c in frame if c.startswith("data_kinds__")
                                                          and not c.endswith("__other_text")]]:
        found = contingency(frame["role"], frame[outcome])
        values += found
        family.append(found[-1])
    values += list(holm(family))
    # Correlations with usage
    usage = list(columns.index[columns["source"] == "usage"])
    pairs = [spearman(frame[s], frame[u]) for s in ["sus_score", "overall_satisfaction", "nps", *SCALES] for u in usage]
    values += [v for pair in pairs for v in pair] + list(holm([pair[2] for pair in pairs]))
    # Models
    values += ordinal(frame, "overall_satisfaction", ["sus_score", "performance_expectancy",
                                                      "reliability_competence", "experience_ai"])
    values += linear(frame)
    # Factors
    values += efa(frame[items["sus"]]) + efa(frame[items["tam_pe"] + items["trust"]])
    # Personas
    values += personas(frame[usage])
    # Nonresponse: respondents against the population, raking weights, weighted estimates
    responded, others = population[population["responded"] == 1], population[population["responded"] == 0]
    for feature in usage:
        a, b = responded[feature].dropna(), others[feature].dropna()
        values.append((a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2))
    linked = frame[(frame["linkage_consent"] == 1) & (frame["usage_active_days"] > 0)].copy()
    cuts = np.quantile(population["usage_active_days"].dropna(), [1 / 3, 2 / 3])
    linked["band"] = np.searchsorted(cuts, linked["usage_active_days"], side="right")
    bands = np.searchsorted(cuts, population["usage_active_days"].dropna(), side="right")
    margins = {**MARGINS, "band": {b: float(np.mean(bands == b)) for b in range(3)}}
    linked = linked[linked["role"].isin(MARGINS["role"])]
    weights = rake(linked, margins)
    for outcome in ["sus_score", "overall_satisfaction", *list(SCALES)[:2]]:
        values += weighted(linked[outcome], weights)
    # Text topics and the planned figures' tables
    values += topics(frame["wishes"])
    data_kinds = [c for c in frame if c.startswith("data_kinds__") and not c.endswith("__other_text")]
    values += list(frame.groupby("role")[data_kinds].mean().to_numpy().ravel())
    thirds = pd.qcut(frame["usage_active_days"], 3, labels=False, duplicates="drop")
    values += list(frame.groupby(thirds)["sus_score"].describe().to_numpy().ravel())
    return values


def main() -> int:
    directory = Path(sys.argv[1])
    started, cpu = time.perf_counter(), time.process_time()
    values = floor(directory)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"values": len(values), "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
