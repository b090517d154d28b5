"""Import speed and peak memory of the Ollama log and Open WebUI chats export importers.

    .venv/bin/python benchmarks/platform_logs_bench.py [--sizes 100000 1000000]

For each size N it writes N Ollama log lines (request lines with some noise) and a chats export
with N messages, then imports each in a fresh subprocess against SQLite in a temporary directory
and reports records/s and the subprocess's peak resident memory (getrusage maxrss).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MESSAGES_PER_CHAT = 10
LATENCIES = ["13.607634s", "838.1647ms", "45.12µs", "1m24s", "4.003306s", "321.0849ms"]


def write_ollama_log(path, lines):
    with open(path, "w", encoding="utf-8") as log:
        for number in range(lines):
            if number % 50 == 49:
                log.write('time=2025-09-08T12:00:00.000Z level=INFO source=server.go:601 msg="llama runner started"\n')
                continue
            seconds = number // 20
            stamp = f"2025/09/{1 + seconds // 86400 % 28:02d} - {seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            latency = LATENCIES[number % len(LATENCIES)]
            log.write(f'[GIN] {stamp} | 200 | {latency:>15} |      172.18.0.{number % 250} | POST     "/api/chat"\n')


def write_chats_export(path, messages):
    """A JSON array of chats, each message in history.messages and in messages, written chat by chat."""
    with open(path, "w", encoding="utf-8") as export:
        export.write("[")
        for chat_number in range(messages // MESSAGES_PER_CHAT):
            chat_messages, parent = [], None
            for index in range(MESSAGES_PER_CHAT):
                message_id = f"m-{chat_number}-{index}"
                role = "user" if index % 2 == 0 else "assistant"
                message = {"id": message_id, "parentId": parent, "childrenIds": [], "role": role,
                           "content": "Lorem ipsum dolor sit amet " * 10, "timestamp": 1757000000 + chat_number * 60 + index}
                if role == "assistant":
                    message.update(model="mistral-small3.1:24b", done=True, usage={
                        "prompt_eval_count": 300 + index, "eval_count": 600, "total_duration": 25_300_000_000})
                else:
                    message["models"] = ["mistral-small3.1:24b"]
                chat_messages.append(message)
                parent = message_id
            chat = {"id": f"chat-{chat_number}", "user_id": f"user-{chat_number % 500}", "title": "Some title",
                    "updated_at": 1757000000 + chat_number * 60, "created_at": 1757000000 + chat_number * 60,
                    "chat": {"title": "Some title", "history": {"messages": {m["id"]: m for m in chat_messages},
                                                                 "currentId": parent}, "messages": chat_messages}}
            export.write(("," if chat_number else "") + json.dumps(chat))
        export.write("]")


def run_import(kind, source, directory):
    """Runs in a fresh subprocess: migrate a new SQLite database, import, report rate and peak memory."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["UPTAKE_PSEUDONYM_KEY_FILE"] = str(Path(directory) / "pseudonym.key")
    (Path(directory) / "pseudonym.key").write_text("0123456789abcdef" * 4)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from platform_logs.services import import_source

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    summary = import_source(kind, source)
    seconds = time.perf_counter() - started
    print(json.dumps({"records": summary.read, "stored": summary.stored, "seconds": round(seconds, 2),
                      "per_second": round(summary.read / seconds),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def measure(kind, writer, size):
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / f"input-{kind}"
        writer(source, size)
        output = subprocess.run([sys.executable, __file__, "--run", kind, str(source), directory],
                                check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result["input_mb"] = round(source.stat().st_size / 1e6)
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--run", nargs=3, metavar=("KIND", "SOURCE", "DIRECTORY"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        run_import(*arguments.run)
        return
    print(f"{'source':<22}{'N':>10}{'input MB':>10}{'seconds':>10}{'records/s':>12}{'peak MB':>9}")
    for kind, writer in [("ollama-log", write_ollama_log), ("openwebui-chats-json", write_chats_export)]:
        for size in arguments.sizes:
            result = measure(kind, writer, size)
            print(f"{kind:<22}{size:>10,}{result['input_mb']:>10}{result['seconds']:>10}{result['per_second']:>12,}"
                  f"{result['peak_mb']:>9}", flush=True)


if __name__ == "__main__":
    main()
