"""A real local model server (llama-cpp-python serving SmolLM2-135M-Instruct) for the coding tests.

`make llm` builds it (.venv-llm and var/models); import the fixture into a test module:
`from tests.llm_fixtures import llm_server`. The server runs on a free port for the whole session.
"""

import json
from contextlib import contextmanager
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LLM_PYTHON = ROOT / ".venv-llm" / "bin" / "python"
LLM_MODEL = ROOT / "var" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"
STARTUP_TIMEOUT_SECONDS = 120


class LlmServerError(RuntimeError):
    pass


@contextmanager
def running_llm_server(log_path: Path, chat_format: str | None = None):
    """Start the server on a free port; yield its base URL (…/v1); stop it afterwards (also used by benchmarks/).

    `chat_format` overrides the model's own chat template: "functionary" is a real server mode that
    accepts `response_format` with a schema and does not apply it (its handler builds grammars only
    from function definitions), i.e. a server that ignores the schema.
    """
    if not LLM_PYTHON.exists() or not LLM_MODEL.exists():
        raise LlmServerError(f"the local model server is not built ({LLM_PYTHON}, {LLM_MODEL}): run `make llm`")
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(LLM_PYTHON), "-m", "llama_cpp.server", "--model", str(LLM_MODEL), "--model_alias", MODEL_ALIAS,
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--verbose", "false",
             # One thread for prompts too: two stall on a machine where other jobs hold a core
             # (the 680-token coding prompt took over two minutes).
             "--n_threads_batch", "1",
             *(["--chat_format", chat_format] if chat_format else [])],
            stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(base, process, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    """Base URL (…/v1) of an OpenAI-compatible server with the test model, for the whole session."""
    try:
        with running_llm_server(tmp_path_factory.mktemp("llm_server") / "server.log") as base:
            yield base
    except LlmServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def llm_server_ignoring_schema(tmp_path_factory):
    """The same server and model in a mode that accepts a response schema and does not enforce it."""
    try:
        with running_llm_server(tmp_path_factory.mktemp("llm_ignoring") / "server.log", chat_format="functionary") as base:
            yield base
    except LlmServerError as exc:
        pytest.fail(str(exc))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(base, process, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LlmServerError(f"the model server exited ({process.returncode}):\n{log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                if json.loads(response.read()).get("data"):
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    raise LlmServerError(f"the model server did not answer within {STARTUP_TIMEOUT_SECONDS}s:\n{log_path.read_text()[-2000:]}")
