"""Model coding of the demo's open answers against the same requests sent straight to the endpoint.

    make llm && .venv/bin/python benchmarks/coding_bench.py [--answers 40]

Starts the local model server (tests/llm_fixtures.py), loads the demo wave and its gold sample into a
throw-away SQLite database, then in one run: (1) the floor, every coding request posted straight to
the server with no validation and no database; (2) `code_answers` over the same answers (probe,
validation, storage). Reports answers/s of both and their ratio (target >= 0.9), the peak memory of
this process, and the agreement of the test model with the gold sample's two coders.
"""

import argparse
import json
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from survey_bench import setup_django  # noqa: E402 - the same throw-away database set-up


def floor(url, endpoint, codebook, texts):
    """Seconds to send each coding request as raw HTTP (json_object with the schema, as this server takes it)."""
    from coding.services import coding_prompt, reply_schema

    start = time.perf_counter()
    for text in texts:
        body = {"model": endpoint.model, "temperature": endpoint.temperature, "seed": endpoint.seed,
                "max_tokens": endpoint.max_tokens,
                "messages": [{"role": "system", "content": coding_prompt(codebook)}, {"role": "user", "content": f"Answer: {text}"}],
                "response_format": {"type": "json_object", "schema": reply_schema(codebook)}}
        request = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            json.loads(response.read())
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=40, help="answers to code (the gold sample's first N)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        (scratch / "pseudonym.key").write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
        setup_django(scratch)
        from django.conf import settings

        from analysis.agreement import agreement, model_gate
        from coding.demo import load_demo_coding
        from coding.models import Coding, CodingSample
        from coding.services import code_answers, endpoint_from_settings, sample_long
        from surveys.demo import load_demo
        from tests.llm_fixtures import MODEL_ALIAS, running_llm_server

        wave = load_demo().wave
        gold = load_demo_coding(wave)
        chosen = list(gold.answers.order_by("pk")[:args.answers])
        bench = CodingSample.objects.create(wave=wave, codebook=gold.codebook, seed=1)
        bench.answers.set(chosen)
        with running_llm_server(scratch / "server.log") as url:
            endpoint = endpoint_from_settings(url, MODEL_ALIAS)
            codebook = gold.codebook.spec
            texts = [answer.value for answer in chosen]
            floor(url, endpoint, codebook, texts[:2])  # warm the server's prompt cache alike for both
            floor_seconds = floor(url, endpoint, codebook, texts)
            start = time.perf_counter()
            result = _code_only(wave, gold.codebook, endpoint, chosen, code_answers, Coding)
            product_seconds = time.perf_counter() - start
        long = sample_long(bench)
        model = MODEL_ALIAS
        gate = model_gate(long, model)
        pair = agreement(long[long["coder"].isin([model, "coder_a"])], n_boot=200)
        people = agreement(long[long["coder"].isin(["coder_a", "coder_b"])], n_boot=200)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        n = len(chosen)
        print(f"model: {MODEL_ALIAS} via llama-cpp-python, temperature {settings.UPTAKE_CODING_TEMPERATURE}, "
              f"seed {settings.UPTAKE_CODING_SEED}, max_tokens {settings.UPTAKE_CODING_MAX_TOKENS}")
        print(f"answers: {n}; stored {result.stored}, not matching the schema {result.refused}")
        print(f"floor (raw requests): {n / floor_seconds:.2f} answers/s; code_answers: {n / product_seconds:.2f} answers/s; "
              f"ratio {floor_seconds / product_seconds:.2f} (target >= 0.9)")
        print(f"peak memory of this process: {peak_mib:.0f} MiB")
        overall = pair.set_index("scope").loc["overall"]
        print(f"model vs coder_a: percent {overall.percent_agreement:.3f}, kappa {overall.cohen_kappa:.3f}, "
              f"alpha {overall.krippendorff_alpha:.3f}; coder_a vs coder_b: alpha "
              f"{people.set_index('scope').loc['overall', 'krippendorff_alpha']:.3f}")
        print(gate.to_string(index=False, float_format=lambda value: f"{value:.3f}"))


def _code_only(wave, version, endpoint, chosen, code_answers, Coding):
    """Run code_answers with every answer outside `chosen` already coded, so it codes exactly those."""
    from django.utils import timezone

    from coding.services import coded_answers

    chosen_ids = {answer.pk for answer in chosen}
    placeholders = [Coding(answer=answer, codebook=version, coder=endpoint.model, kind=Coding.Kind.MODEL, codes=[],
                           prompt_hash="-" * 64, coded_at=timezone.now())
                    for answer in coded_answers(wave, version.item) if answer.pk not in chosen_ids]
    Coding.objects.bulk_create(placeholders)
    result = code_answers(wave, version, endpoint)
    Coding.objects.filter(pk__in=[p.pk for p in placeholders]).delete()
    return result


if __name__ == "__main__":
    main()
