"""Metadata other image tools write into PNG text chunks, read into our `import` metadata.

- AUTOMATIC1111 / Forge / SD.Next: `parameters` = prompt, then a `Negative prompt: …` line,
  then `Steps: …, Sampler: …, Seed: …, Size: 512x768, …`.
- ComfyUI: `prompt` (the API graph: node id → {class_type, inputs}) and `workflow` (the UI
  graph); the prompt is the text of the CLIPTextEncode node the sampler's `positive` input
  links to (else the first CLIPTextEncode text), likewise `negative`.
- InvokeAI: `invokeai_metadata` (JSON: positive_prompt, negative_prompt, seed, width, height).
- NovelAI: `Description` (prompt) and `Comment` (JSON: prompt, uc = negative, seed, ...).

Parsing never raises: what cannot be understood is kept raw under `chunks`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .metadata import KIND_IMPORT, SCHEMA, find_secret_keys, redact_secrets

#: Text chunks kept raw in the metadata (others, e.g. XML:com.adobe.xmp, are left in the file only).
KNOWN_CHUNKS = ("parameters", "prompt", "workflow", "invokeai_metadata", "invokeai_graph", "Description",
                "Comment", "Software", "Source", "Title", "Generation time")
_MAX_RAW = 2 * 1024 * 1024


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _split_params(line: str) -> dict[str, str]:
    """A1111's `Key: value, Key: "quoted, value", …` line as a dict."""
    out: dict[str, str] = {}
    for m in re.finditer(r'\s*([\w][\w \-/]*?):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)', line):
        key, value = m.group(1).strip(), m.group(2).strip()
        if value.startswith('"') and value.endswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        out[key] = value
    return out


def parse_a1111(text: str) -> dict[str, Any]:
    lines = text.strip().split("\n")
    params_line = ""
    if lines and re.search(r"(^|,\s*)Steps:\s*\d", lines[-1]):
        params_line = lines.pop()
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    target = prompt_lines
    for line in lines:
        if line.startswith("Negative prompt:"):
            target = negative_lines
            line = line[len("Negative prompt:") :].lstrip()
        target.append(line)
    params = _split_params(params_line)
    out: dict[str, Any] = {
        "tool": "a1111",
        "prompt": "\n".join(prompt_lines).strip() or None,
        "negative_prompt": "\n".join(negative_lines).strip() or None,
        "parameters": params,
    }
    if re.fullmatch(r"-?\d+", params.get("Seed", "")):
        out["seed"] = int(params["Seed"])
    size = re.fullmatch(r"(\d+)x(\d+)", params.get("Size", ""))
    if size:
        out["width"], out["height"] = int(size.group(1)), int(size.group(2))
    return out


def _comfy_text(graph: Mapping[str, Any], link: Any, depth: int = 0) -> str | None:
    """Follow a [node_id, output] link to a text encoder's text (through simple pass-through nodes)."""
    if not isinstance(link, list) or not link or depth > 8:
        return None
    node = graph.get(str(link[0]))
    if not isinstance(node, Mapping):
        return None
    inputs = node.get("inputs") or {}
    text = inputs.get("text") if isinstance(inputs, Mapping) else None
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return _comfy_text(graph, text, depth + 1)
    for key in ("conditioning", "conditioning_1", "positive"):
        if isinstance(inputs, Mapping) and key in inputs:
            found = _comfy_text(graph, inputs[key], depth + 1)
            if found:
                return found
    return None


def parse_comfyui(prompt_text: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"tool": "comfyui"}
    graph = _json(prompt_text)
    if not isinstance(graph, Mapping):
        return out
    encoders: list[str] = []
    for node in graph.values():
        if not isinstance(node, Mapping):
            continue
        inputs = node.get("inputs") or {}
        if not isinstance(inputs, Mapping):
            continue
        ctype = str(node.get("class_type", ""))
        if "CLIPTextEncode" in ctype and isinstance(inputs.get("text"), str):
            encoders.append(inputs["text"])
        if "Sampler" in ctype:
            pos = _comfy_text(graph, inputs.get("positive"))
            neg = _comfy_text(graph, inputs.get("negative"))
            if pos and "prompt" not in out:
                out["prompt"] = pos
            if neg and "negative_prompt" not in out:
                out["negative_prompt"] = neg
            for key in ("seed", "noise_seed"):
                if isinstance(inputs.get(key), int) and "seed" not in out:
                    out["seed"] = inputs[key]
    if "prompt" not in out and encoders:
        out["prompt"] = encoders[0]
    return out


def parse_invokeai(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"tool": "invokeai"}
    obj = _json(text)
    if isinstance(obj, Mapping):
        for src, dst in (("positive_prompt", "prompt"), ("negative_prompt", "negative_prompt")):
            if isinstance(obj.get(src), str):
                out[dst] = obj[src]
        for key in ("seed", "width", "height"):
            if isinstance(obj.get(key), int):
                out[key] = obj[key]
    return out


def parse_novelai(description: str | None, comment: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"tool": "novelai"}
    obj = _json(comment)
    if description:
        out["prompt"] = description
    if isinstance(obj, Mapping):
        if "prompt" not in out and isinstance(obj.get("prompt"), str):
            out["prompt"] = obj["prompt"]
        if isinstance(obj.get("uc"), str):
            out["negative_prompt"] = obj["uc"]
        for key in ("seed", "width", "height"):
            if isinstance(obj.get(key), int):
                out[key] = obj[key]
    return out


def _clean_raw(text: str) -> str:
    """A raw chunk as found, unless it is JSON holding a credential-named key (then redacted)."""
    obj = _json(text)
    if obj is not None and find_secret_keys(obj):
        return json.dumps(redact_secrets(obj), ensure_ascii=False)
    return text


def import_metadata(chunks: Mapping[str, str], *, filename: str | None, created_at: str) -> dict[str, Any]:
    """Our `import` metadata for a file whose text chunks are `chunks` (may be empty)."""
    parsed: dict[str, Any] = {"tool": None}
    try:
        if "invokeai_metadata" in chunks:
            parsed = parse_invokeai(chunks["invokeai_metadata"])
        elif "parameters" in chunks:
            parsed = parse_a1111(chunks["parameters"])
        elif "prompt" in chunks or "workflow" in chunks:
            parsed = parse_comfyui(chunks.get("prompt"))
        elif chunks.get("Software", "").startswith("NovelAI") or ("Comment" in chunks and "Description" in chunks):
            parsed = parse_novelai(chunks.get("Description"), chunks.get("Comment"))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):  # never let a quirk stop an import
        parsed = {"tool": None}
    raw = {k: _clean_raw(v) for k, v in chunks.items() if k in KNOWN_CHUNKS and len(v) <= _MAX_RAW}
    meta: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": KIND_IMPORT,
        **parsed,
        "filename": filename,
        "created_at": created_at,
        "chunks": raw,
    }
    return redact_secrets(meta)  # type: ignore[no-any-return]
