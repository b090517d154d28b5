"""Import speed and peak memory of the Ollama log and Open WebUI chats export importers, against their floors.

    .venv/bin/python benchmarks/platform_logs_bench.py [--sizes 100000 1000000] [--sources openwebui-chats-json]

For each size N it writes N Ollama log lines (request lines with some noise) and a chats export
with N messages, then imports each in a fresh subprocess against SQLite in a temporary directory
and reports records/s, the import's CPU seconds and the subprocess's peak resident memory
(getrusage maxrss).

The floors run in the same run on the same file, each in a fresh subprocess: for the chats export
`json.load` of the whole file (the bare parse the import is held against; up to --json-load-max
messages, since it holds the whole file in memory: about 6 GB at 1,000,000 messages) and ijson's
`items` over the top-level array with the same backend (the importer's own streaming parse, flat
memory); for the Ollama log reading the file line by line and decoding each line. "ratio" is the
import's CPU over the first floor's CPU.
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


def run_floor(floor, source):
    """Runs in a fresh subprocess: the floor's parse of the file, its CPU seconds and peak memory."""
    started = time.process_time()
    if floor == "json.load":
        with open(source, "rb") as export:
            records = len(json.load(export))
    elif floor == "ijson.items":
        import ijson

        with open(source, "rb") as export:
            records = sum(1 for _chat in ijson.items(export, "item", use_float=True))
    else:  # lines: what any line-based importer must do at least
        with open(source, "rb") as log:
            records = sum(1 for line in log if line.decode("utf-8"))
    print(json.dumps({"records": records, "cpu": round(time.process_time() - started, 2),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def run_import(kind, source, directory):
    """Runs in a fresh subprocess: migrate a new SQLite database, import, report rate, CPU and peak memory."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["DJANGO_DEBUG"] = "0"  # as an operator's import runs in production: no log of every SQL statement
    os.environ["UPTAKE_PSEUDONYM_KEY_FILE"] = str(Path(directory) / "pseudonym.key")
    (Path(directory) / "pseudonym.key").write_text("0123456789abcdef" * 4)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from platform_logs.services import import_source

    call_command("migrate", verbosity=0)
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = import_source(kind, source)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"records": summary.read, "stored": summary.stored, "seconds": round(seconds, 2), "cpu": round(cpu, 2),
                      "per_second": round(summary.read / seconds),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def subprocess_result(*arguments):
    output = subprocess.run([sys.executable, __file__, *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(kind, writer, size, floors):
    """The import and its floors on one generated file: {"import": ..., floor: ...}."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / f"input-{kind}"
        writer(source, size)
        results = {"import": subprocess_result("--run", kind, str(source), directory)}
        for floor in floors:
            results[floor] = subprocess_result("--floor", floor, str(source))
        results["input_mb"] = round(source.stat().st_size / 1e6)
        return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sources", nargs="+", choices=list(SOURCES), default=list(SOURCES))
    parser.add_argument("--json-load-max", type=int, default=200_000,
                        help="largest export (messages) also parsed with json.load, which holds it all in memory")
    parser.add_argument("--run", nargs=3, metavar=("KIND", "SOURCE", "DIRECTORY"), help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, metavar=("FLOOR", "SOURCE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        run_import(*arguments.run)
        return
    if arguments.floor:
        run_floor(*arguments.floor)
        return
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; CPU seconds per step, peak MB per process")
    print(f"{'source':<22}{'N':>10}{'input MB':>9}{'seconds':>9}{'records/s':>11}{'import CPU':>11}{'peak MB':>8}"
          f"   floor CPU (peak MB)   ratio")
    for kind in arguments.sources:
        writer, floors = SOURCES[kind]
        for size in arguments.sizes:
            chosen = [floor for floor in floors if floor != "json.load" or size <= arguments.json_load_max]
            results = measure(kind, writer, size, chosen)
            imported = results["import"]
            floor_text = ", ".join(f"{floor} {results[floor]['cpu']} ({results[floor]['peak_mb']})" for floor in chosen)
            ratio = imported["cpu"] / results[chosen[0]]["cpu"] if chosen[0] == floors[0] else None
            print(f"{kind:<22}{size:>10,}{results['input_mb']:>9}{imported['seconds']:>9}{imported['per_second']:>11,}"
                  f"{imported['cpu']:>11}{imported['peak_mb']:>8}   {floor_text}   "
                  f"{f'{ratio:.2f}x {floors[0]}' if ratio else '-'}", flush=True)


SOURCES = {"ollama-log": (write_ollama_log, ["lines"]),
           "openwebui-chats-json": (write_chats_export, ["json.load", "ijson.items"])}


if __name__ == "__main__":
    main()
