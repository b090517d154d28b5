"""The site's OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp), asked for JSON that follows a schema.

Servers differ in how they take a schema: Ollama and vLLM take OpenAI's
`{"type": "json_schema", "json_schema": {...}}`; llama-cpp-python's server answers that with HTTP 500
and takes `{"type": "json_object", "schema": ...}`. The client tries the first and falls back to the
second, remembers which one worked, and the caller validates every reply anyway: some servers
accept a schema and ignore it (`check_enforcement` finds those before a run).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlparse

PROBE_VALUE = "enforced"
PROBE_MAX_TOKENS = 32  # room for the probe's reply whatever the run's max_tokens
PROBE_SCHEMA = {
    "type": "object",
    "properties": {"probe": {"type": "string", "enum": [PROBE_VALUE]}},
    "required": ["probe"],
    "additionalProperties": False,
}
# Asked for a different value than the schema allows: only a server that enforces the schema answers "enforced".
PROBE_MESSAGES = [{"role": "user", "content": 'Reply with exactly this JSON and nothing else: {"probe": "ignored", "note": "free"}'}]


class EndpointError(RuntimeError):
    """The endpoint cannot be used: not allowed, unreachable, or not following the schema."""


class HostNotAllowed(EndpointError):
    pass


class SchemaNotEnforced(EndpointError):
    pass


def json_schema_format(name: str, schema: dict) -> dict:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def json_object_format(name: str, schema: dict) -> dict:
    return {"type": "json_object", "schema": schema}


RESPONSE_FORMATS = (json_schema_format, json_object_format)


def check_host(url: str, allowed_hosts: list[str]) -> str:
    """The endpoint's host if it is one the site listed (UPTAKE_CODING_HOSTS); free text goes nowhere else."""
    host = urlparse(url).hostname or ""
    if host not in allowed_hosts:
        raise HostNotAllowed(f"endpoint {url}: host {host!r} is not in UPTAKE_CODING_HOSTS ({', '.join(allowed_hosts) or 'empty'})"
                             "; open answers go only to the site's own model server")
    return host


class JsonReply(NamedTuple):
    text: str
    model: str  # the model id the server reports
    truncated: bool  # the server stopped at max_tokens (finish_reason "length"): the JSON is cut off


@dataclass
class ChatEndpoint:
    """One model on one OpenAI-compatible server, with the sampling settings every request carries."""

    url: str
    model: str
    temperature: float
    seed: int
    max_tokens: int
    api_key: str = ""
    timeout: float = 120.0
    response_format: object = field(default=None, repr=False)  # the shape that worked, learnt on first use

    def complete_json(self, messages: list[dict], name: str, schema: dict, max_tokens: int | None = None) -> JsonReply:
        """The reply to a chat request asking for JSON following `schema`."""
        formats = [self.response_format] if self.response_format else list(RESPONSE_FORMATS)
        last_error = None
        for make_format in formats:
            body = {
                "model": self.model, "messages": messages, "temperature": self.temperature, "seed": self.seed,
                "max_tokens": max_tokens or self.max_tokens, "response_format": make_format(name, schema),
            }
            try:
                reply = self._post("/chat/completions", body)
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
                continue
            self.response_format = make_format
            choice = reply["choices"][0]
            return JsonReply(choice["message"].get("content") or "", reply.get("model", self.model),
                             choice.get("finish_reason") == "length")
        raise EndpointError(f"endpoint {self.url}: refused a request with a JSON schema in either form ({last_error})")

    def check_enforcement(self, system_prompt: str = "") -> None:
        """Raise SchemaNotEnforced unless the server makes the model follow a schema against its prompt.

        The run's system prompt goes first, so that a server reusing the longest common prefix of its
        last prompt (llama.cpp) does not evaluate the long coding prompt once more after the probe."""
        context = [{"role": "system", "content": system_prompt}] if system_prompt else []
        text = self.complete_json([*context, *PROBE_MESSAGES], "probe", PROBE_SCHEMA, max_tokens=PROBE_MAX_TOKENS).text
        try:
            reply = json.loads(text)
        except ValueError:
            reply = None
        if reply != {"probe": PROBE_VALUE}:
            raise SchemaNotEnforced(f"endpoint {self.url}: model {self.model} does not follow the response schema "
                                    "(asked for one value, allowed only another); nothing was coded")

    def _post(self, path: str, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url.rstrip("/") + path, data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise EndpointError(f"endpoint {self.url}: {exc}") from None
