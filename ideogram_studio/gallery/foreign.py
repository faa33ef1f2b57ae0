"""Metadata other image tools write into their files, read into our `import` metadata.

The formats of the Stable Diffusion tools are read by sd-parsers (MIT, its own test images),
fed by our bounded readers (foreign_sources.py): AUTOMATIC1111 / Forge / SD.Next (PNG text,
JPEG and WebP EXIF UserComment, stealth alpha), ComfyUI, Fooocus, InvokeAI (Dream, sd-metadata,
invokeai_metadata) and NovelAI. The ones it does not know are read here: SwarmUI
(`sui_image_params` JSON), Draw Things and Midjourney (XMP, Midjourney's `Description`).
Where sd-parsers is stricter than the files found in the wild, a lenient reader of the same
format takes over (an A1111 text without its settings line, a ComfyUI API graph alone).

Reading never raises and never guesses: a file whose settings cannot be read is imported without
them (and the import report says why), never with a wrong prompt. Every text is bounded before
it is parsed: size (foreign_sources.py), JSON nesting depth (MAX_JSON_DEPTH), line length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .foreign_sources import Sources, read_sources
from .metadata import KIND_IMPORT, SCHEMA, find_secret_keys, redact_secrets

#: Text chunks kept raw in the metadata (others, e.g. XML:com.adobe.xmp, are left in the file only).
KNOWN_CHUNKS = ("parameters", "prompt", "workflow", "invokeai_metadata", "invokeai_graph", "Description",
                "Comment", "Software", "Source", "Title", "Generation time", "sd-metadata", "Dream",
                "fooocus_scheme")
_MAX_RAW = 2 * 1024 * 1024
#: Deeper JSON than this is not parsed (real settings nest a dozen levels; a hostile file, thousands).
MAX_JSON_DEPTH = 64
#: Longest A1111 text handed to a regular-expression parser (real ones are a few KB).
MAX_PARAMETERS_CHARS = 64 * 1024
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if the JSON text nests no deeper than `limit` (strings skipped; linear time)."""
    depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > limit:
            return False
    return True


def _json(text: str | None) -> Any:
    if not text or not json_depth_ok(text):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
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



# ---- through sd-parsers ---------------------------------------------------------------------------


def _via_sd_parsers(parser_name: str, parameters: dict[str, Any], tool: str) -> dict[str, Any] | None:
    """Run one of sd-parsers' parsers on texts we read; None if it finds no settings."""
    from sd_parsers import parsers as sdp  # imported when a foreign file is met (not at start-up)
    from sd_parsers.exceptions import ParserError

    parser = getattr(sdp, parser_name)()
    try:
        info = parser.parse(dict(parameters))
    except (ParserError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
        return None
    out: dict[str, Any] = {"tool": tool}
    prompt, negative = _joined(info.prompts), _joined(info.negative_prompts)
    if prompt:
        out["prompt"] = prompt
    if negative:
        out["negative_prompt"] = negative
    for sampler in info.samplers:
        seed = _as_int(sampler.parameters.get("seed"))
        if seed is not None:
            out.setdefault("seed", seed)
        if sampler.model is not None and sampler.model.name:
            out.setdefault("model", str(sampler.model.name))
    size = info.metadata.get("Size") if isinstance(info.metadata, Mapping) else None
    match = re.fullmatch(r"(\d{1,6})x(\d{1,6})", str(size or ""))
    if match:
        out["width"], out["height"] = int(match.group(1)), int(match.group(2))
    for key in ("width", "height"):
        value = _as_int(info.metadata.get(key)) if isinstance(info.metadata, Mapping) else None
        if value is not None:
            out.setdefault(key, value)
    return out if len(out) > 1 else None


def _joined(prompts: Any) -> str:
    """The prompts a tool used, as one text (Fooocus's expanded lists and the like left out)."""
    return ", ".join(str(p).strip() for p in prompts if str(p).strip())


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
        return int(value)
    return None


# ---- the tools sd-parsers does not know -------------------------------------------------------------


def parse_swarmui(obj: Mapping[str, Any]) -> dict[str, Any]:
    params = obj.get("sui_image_params")
    out: dict[str, Any] = {"tool": "swarmui"}
    if isinstance(params, Mapping):
        for src, dst in (("prompt", "prompt"), ("negativeprompt", "negative_prompt"), ("model", "model")):
            if isinstance(params.get(src), str) and params[src].strip():
                out[dst] = params[src]
        for src, dst in (("seed", "seed"), ("width", "width"), ("height", "height")):
            value = _as_int(params.get(src))
            if value is not None:
                out[dst] = value
    return out


_XMP_DESCRIPTION = re.compile(r"<dc:description>.*?<rdf:li[^>]*>(.*?)</rdf:li>", re.S)
_XMP_ATTR = re.compile(r'\b(xmp:CreatorTool|Iptc4xmpExt:DigitalSourceType)="([^"]{0,500})"')
_XMP_ELEMENT = re.compile(r"<(xmp:CreatorTool|Iptc4xmpExt:DigitalSourceType)>([^<]{0,500})<")
_XMP_COMMENT = re.compile(r"<exif:UserComment>.*?<rdf:li[^>]*>(.*?)</rdf:li>", re.S)
_AI_SOURCE = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


def parse_xmp(xmp: str) -> dict[str, Any] | None:
    """Draw Things (its settings as JSON in exif:UserComment) and Midjourney-style XMP (the prompt
    in dc:description of an image marked as made by a generator). Plain regular expressions on a
    bounded packet: no XML parser, so no entity can expand; a packet with a DOCTYPE is refused."""
    if "<!DOCTYPE" in xmp or "<!ENTITY" in xmp:
        return None
    fields = {m.group(1): m.group(2) for m in (*_XMP_ATTR.finditer(xmp), *_XMP_ELEMENT.finditer(xmp))}
    tool_name = fields.get("xmp:CreatorTool", "")
    comment = _XMP_COMMENT.search(xmp)
    if comment:
        obj = _json(_unescape(comment.group(1)))
        if isinstance(obj, Mapping) and isinstance(obj.get("c"), str):  # Draw Things
            out: dict[str, Any] = {"tool": "drawthings", "prompt": obj["c"]}
            if isinstance(obj.get("uc"), str) and obj["uc"].strip():
                out["negative_prompt"] = obj["uc"]
            seed = _as_int(obj.get("seed"))
            if seed is not None:
                out["seed"] = seed
            size = re.fullmatch(r"(\d{1,6})x(\d{1,6})", str(obj.get("size") or ""))
            if size:
                out["width"], out["height"] = int(size.group(1)), int(size.group(2))
            if isinstance(obj.get("model"), str):
                out["model"] = obj["model"]
            return out
    generated = any(s in fields.get("Iptc4xmpExt:DigitalSourceType", "") for s in _AI_SOURCE)
    known = re.search(r"midjourney|draw things|stable diffusion|dall|firefly|ideogram", tool_name, re.I)
    description = _XMP_DESCRIPTION.search(xmp)
    if description and (generated or known):
        text = _unescape(description.group(1)).strip()
        if text:
            tool = "midjourney" if "midjourney" in tool_name.lower() else (tool_name.strip().lower() or "xmp")
            return _midjourney_fields(text, tool)
    return None


def _midjourney_fields(description: str, tool: str = "midjourney") -> dict[str, Any]:
    """"a prompt --ar 16:9 --seed 5 Job ID: 1234-…" -> the prompt as typed (its parameters kept)."""
    text = re.sub(r"\s*Job ID:\s*[0-9a-fA-F-]{8,64}\s*$", "", description).strip()
    out: dict[str, Any] = {"tool": tool, "prompt": text}
    seed = re.search(r"--seed\s+(\d{1,12})", text)
    if seed:
        out["seed"] = int(seed.group(1))
    negative = re.search(r"--no\s+([^-][^-]*)", text)
    if negative:
        out["negative_prompt"] = negative.group(1).strip()
    return out


# ---- which tool wrote this file --------------------------------------------------------------------


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _from_parameters_json(text: str, sources: Sources) -> tuple[dict[str, Any] | None, str | None]:
    obj = _json(text)
    if not isinstance(obj, Mapping):
        reason = "nested too deeply" if not json_depth_ok(text) else "not valid JSON"
        return None, f"settings text looks like JSON but is {reason}"
    if "sui_image_params" in obj:
        return parse_swarmui(obj), None
    fooocus = sources.texts.get("fooocus_scheme") or str(obj.get("version", "")).startswith("Fooocus") or (
        "base_model" in obj and "prompt" in obj
    )
    if fooocus:
        parsed = _via_sd_parsers("FooocusParser", {"parameters": text}, "fooocus")
        if parsed is None:  # (a newer Fooocus than sd-parsers knows: the plain fields)
            parsed = {"tool": "fooocus"}
            for key in ("prompt", "negative_prompt"):
                if isinstance(obj.get(key), str) and obj[key].strip():
                    parsed[key] = obj[key]
            seed = _as_int(obj.get("seed"))
            if seed is not None:
                parsed["seed"] = seed
        return parsed, None
    return None, "settings written as JSON by a tool we do not know: not read"


def _from_a1111_text(text: str) -> dict[str, Any] | None:
    if len(text) > MAX_PARAMETERS_CHARS:
        return None
    strict = _via_sd_parsers("AUTOMATIC1111Parser", {"parameters": text}, "a1111")
    # Ours keeps every setting (quoted values with commas too) and reads a prompt without its
    # settings line; sd-parsers' reading wins where both found a field.
    lenient = parse_a1111(text)
    merged = {k: v for k, v in lenient.items() if v not in (None, {}, "")} | (strict or {})
    return merged if merged.get("prompt") or strict is not None else None


def detect(sources: Sources) -> tuple[dict[str, Any], str]:
    """(fields, what the import report says) for a file's sources; fields {"tool": None} if none."""
    texts = sources.texts
    notes = list(sources.notes)
    parsed: dict[str, Any] | None = None
    for key in list(texts):  # JSON nested past the limit never reaches a parser
        if _looks_like_json(texts[key]) and not json_depth_ok(texts[key]):
            notes.append(f"text chunk “{key}” nests deeper than {MAX_JSON_DEPTH} levels: not read")
            del texts[key]
    parameters = texts.get("parameters") or sources.exif_comment
    try:
        if parameters and _looks_like_json(parameters):
            parsed, note = _from_parameters_json(parameters, sources)
            if note:
                notes.append(note)
        elif {"invokeai_metadata", "sd-metadata", "Dream"} & texts.keys():
            parsed = _via_sd_parsers("InvokeAIParser", texts, "invokeai")
            if parsed is None and "invokeai_metadata" in texts:  # (no scheduler: sd-parsers refuses it)
                parsed = parse_invokeai(texts["invokeai_metadata"])
        elif "prompt" in texts and _looks_like_json(texts["prompt"]):
            parsed = _via_sd_parsers("ComfyUIParser", texts, "comfyui") if "workflow" in texts else None
            if parsed is None or "prompt" not in parsed:
                parsed = parse_comfyui(texts["prompt"]) | (parsed or {})
        elif "Comment" in texts and "Description" in texts:
            parsed = _via_sd_parsers("NovelAIParser", {"Source": "", **texts}, "novelai")
            if parsed is None:  # (no sampler named: sd-parsers refuses it)
                parsed = parse_novelai(texts.get("Description"), texts.get("Comment"))
        elif parameters:
            parsed = _from_a1111_text(parameters)
        elif "Description" in texts and "Job ID:" in texts["Description"]:
            parsed = _midjourney_fields(texts["Description"])
        if parsed is None and sources.xmp:
            parsed = parse_xmp(sources.xmp)
        if parsed is None and sources.stealth:
            stealth = _json(sources.stealth) if _looks_like_json(sources.stealth) else None
            if isinstance(stealth, Mapping):  # NovelAI's stealth payload: its text chunks as JSON
                inner = {k: v for k, v in stealth.items() if isinstance(k, str) and isinstance(v, str)}
                parsed = _via_sd_parsers("NovelAIParser", {"Source": "", **inner}, "novelai")
            else:
                parsed = _from_a1111_text(sources.stealth)
            if parsed is not None:
                parsed["stealth"] = True
    except Exception as exc:  # a reader's bug must not stop an import: no metadata, a reason
        notes.append(f"settings could not be read ({type(exc).__name__})")
        parsed = None
    if parsed is None or not parsed.get("tool"):
        what = "no generation settings found" if not notes else "imported without generation settings"
        return {"tool": None}, "; ".join([what, *notes])
    found = [label for key, label in (("prompt", "prompt"), ("negative_prompt", "negative prompt"),
                                      ("seed", "seed"), ("model", "model")) if key in parsed]
    summary = f"{TOOL_NAMES.get(parsed['tool'], parsed['tool'])}: {', '.join(found) or 'no prompt'}"
    return parsed, "; ".join([summary, *notes])


TOOL_NAMES = {
    "a1111": "AUTOMATIC1111", "comfyui": "ComfyUI", "fooocus": "Fooocus", "invokeai": "InvokeAI",
    "novelai": "NovelAI", "swarmui": "SwarmUI", "drawthings": "Draw Things", "midjourney": "Midjourney",
}


def import_metadata(data: bytes, *, filename: str | None, created_at: str) -> dict[str, Any]:
    """Our `import` metadata for a file of another tool (its settings, where they can be read).

    `import_note` says what was found, or why nothing was: the import report shows it."""
    sources = read_sources(data)
    parsed, note = detect(sources)
    raw = {k: _clean_raw(v) for k, v in sources.texts.items() if k in KNOWN_CHUNKS and len(v) <= _MAX_RAW}
    if sources.exif_comment and len(sources.exif_comment) <= _MAX_RAW:
        raw["exif:UserComment"] = _clean_raw(sources.exif_comment)
    meta: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": KIND_IMPORT,
        **parsed,
        "filename": filename,
        "created_at": created_at,
        "chunks": raw,
        "import_note": note,
    }
    return redact_secrets(meta)  # type: ignore[no-any-return]
