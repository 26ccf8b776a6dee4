"""Diagnostics as text: pure functions from results to text, one per format (`REPORTERS` here,
by format name; `validated_*` are `validate`'s entries in contract/reporting/__init__.py's registry,
and `plan`, `render`, `add` and `bundle` print their diagnostics with the same functions).

| name | for | shape |
|---|---|---|
| text | people at a terminal | `file:line:col: severity CODE message`, the line, a caret, the hint |
| json | CI and tools | one object per file, one line each (DESIGN §4 shape) |
| github | GitHub Actions | `::error file=…,line=…,col=…,title=…::message` workflow commands |
| sarif | code scanning | SARIF 2.1.0, one run with the rule table |

Quoted source lines are redacted: a value under a secret-looking key is never shown.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any

from contract import __version__
from contract.diagnostics import Diagnostic, Severity
from contract.knowledge.secrets import MASK, SECRET_KEY_ON_LINE, is_reference, mask
from contract.pipeline.validate import Result
from contract.reporting import Output, err, out
from contract.workflows.validation import Validated

Reporter = Callable[[Sequence[Result], bool], str]
_MAX_QUOTE = 200


def redact_line(line: str, secrets: frozenset[str] = frozenset()) -> str:
    """Hide the value of every `…key/secret/token/password…: value` on a source line.

    Block style masks to the end of the line (or a ` #` comment); inside a flow mapping
    (`{…}`) to the next `,` or `}`. A bare `${VAR}` reference is shown: it is not a secret.
    Known secret values (`Result.secrets`) are masked wherever they stand. Linear in the
    length of the line, however many keys it holds.
    """
    out: list[str] = []
    pos = 0
    depth, counted = 0, 0  # flow-mapping depth at `counted`
    comments = (
        [i for i in range(len(line) - 1) if line[i] == " " and line[i + 1] == "#"] if " #" in line else []
    )
    for m in SECRET_KEY_ON_LINE.finditer(line):
        if m.start() < pos:
            continue
        depth += line.count("{", counted, m.start()) - line.count("}", counted, m.start())
        counted = m.start()
        start = m.end()
        next_comment = bisect.bisect_left(comments, start)
        end = comments[next_comment] if next_comment < len(comments) else len(line)
        if depth > 0:
            stops = [i for i in (line.find(",", start, end), line.find("}", start, end)) if i >= 0]
            if stops:
                end = min(stops)
        value = line[start:end].rstrip()
        if value and not _shown_reference(value):
            out.append(line[pos:start] + MASK)
            pos = start + len(value)
    out.append(line[pos:])
    return mask("".join(out), secrets)


def _shown_reference(value: str) -> bool:
    """A bare `${VAR}`, quoted or not: shown, since it names where the secret is."""
    if value[0] in "\"'":
        return len(value) >= 2 and value[-1] == value[0] and is_reference(value[1:-1])
    return is_reference(value)


def _mask_line(line: str) -> str:
    """A line that continues a multi-line secret: its indentation kept, the rest masked."""
    body = line.lstrip()
    return line[: len(line) - len(body)] + MASK if body else line


def _quote(line: str, column: int, secrets: frozenset[str]) -> tuple[str, int]:
    """The part of a (key-redacted) source line to show, values masked, and the caret's place."""
    if len(line) <= _MAX_QUOTE:
        return mask(line, secrets), column - 1
    start = max(0, min(column - 1 - _MAX_QUOTE // 2, len(line) - _MAX_QUOTE))
    # Mask known values on a margin around the window, so none is cut in half at its edge.
    margin = min(max((len(s) for s in secrets), default=0), 4096)
    wide_start = max(0, start - margin)
    wide = mask(line[wide_start : start + _MAX_QUOTE + margin], secrets)
    offset = start - wide_start
    return wide[offset : offset + _MAX_QUOTE], column - 1 - start


_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def render_text(results: Sequence[Result], colour: bool = False) -> str:
    out: list[str] = []
    files_with_problems = 0
    errors = warnings = 0
    for result in results:
        lines = result.source.splitlines() if result.source is not None else []
        redacted: dict[int, str] = {}  # line number -> the line with secret-key values masked
        if result.diagnostics:
            files_with_problems += 1
        errors += result.errors
        warnings += result.warnings
        for d in result.diagnostics:
            message, hint = result.said(d)
            head = f"{result.file}:{d.line}:{d.column}: "
            severity = _paint(d.severity.value, "1;" + _COLOURS[d.severity], colour)
            out.append(f"{_paint(head, '1', colour)}{severity} {d.code} {message}")
            if 0 < d.line <= len(lines):
                if d.line not in redacted:
                    line = lines[d.line - 1].expandtabs(1)
                    redacted[d.line] = (
                        _mask_line(line) if d.line in result.secret_lines else redact_line(line)
                    )
                quoted, caret_at = _quote(redacted[d.line], d.column, result.secrets)
                out.append(f"  {quoted}")
                out.append("  " + " " * max(caret_at, 0) + _paint("^", "1;32", colour))
            if hint:
                out.append(f"  {_paint('hint:', '1;36', colour)} {hint}")
            out.append(f"  ({d.name}; `install-contract explain {d.code}`)")
    checked = len(results)
    noun = "file" if checked == 1 else "files"
    if errors or warnings:
        out.append(
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''} "
            f"in {files_with_problems} of {checked} {noun}"
        )
    else:
        out.append(_paint(f"{checked} {noun} valid: no errors, no warnings", "32", colour))
    return "\n".join(out) + "\n"


def report_object(result: Result) -> dict[str, Any]:
    return {
        "file": result.file,
        "valid": result.valid,
        "errors": result.errors,
        "warnings": result.warnings,
        "diagnostics": [d.as_dict() for d in result.masked()],
    }


def render_json(results: Sequence[Result], colour: bool = False) -> str:
    """One JSON object per file, one per line (a single file is exactly one JSON document)."""
    return "".join(json.dumps(report_object(r), ensure_ascii=False) + "\n" for r in results)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(results: Sequence[Result], colour: bool = False) -> str:
    out: list[str] = []
    for result in results:
        for d in result.diagnostics:
            props = ",".join(
                f"{k}={_escape_property(str(v))}"
                for k, v in (
                    ("file", result.file),
                    ("line", d.line),
                    ("col", d.column),
                    ("title", f"{d.code} {d.name}"),
                )
            )
            said, hint = result.said(d)
            message = said + (f" (hint: {hint})" if hint else "")
            out.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_escape_data(message)}")
    return "".join(line + "\n" for line in out)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(results: Sequence[Result], colour: bool = False) -> str:
    from contract.pipeline.rules import RULES

    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].summary},
            "fullDescription": {"text": RULES[code].doc},
            "help": {"text": f"install-contract explain {code}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[RULES[code].severity]},
        }
        for code in codes
    ]
    sarif_results = []
    for result in results:
        for d in result.diagnostics:
            sarif_results.append(_sarif_result(result, d, index.get(d.code, -1)))
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "install-contract",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/install-contract/",
                        "rules": rules,
                    }
                },
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_result(result: Result, d: Diagnostic, rule_index: int) -> dict[str, Any]:
    said, hint = result.said(d)
    text = said + (f" Hint: {hint}" if hint else "")
    out: dict[str, Any] = {
        "ruleId": d.code,
        "level": _SARIF_LEVEL[d.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": result.file},
                    "region": {"startLine": max(d.line, 1), "startColumn": max(d.column, 1)},
                },
                "logicalLocations": [{"fullyQualifiedName": d.path or "/", "kind": "object"}],
            }
        ],
    }
    if rule_index >= 0:
        out["ruleIndex"] = rule_index
    return out


REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


def _validated(outcome: Validated, render: Reporter, colour: bool) -> Output:
    """validate's report: each unreadable file named on stderr, then the results in `render`'s format."""
    parts = [err(f"install-contract: {message}") for message in outcome.unreadable]
    if outcome.problem is not None:
        return (*parts, err(f"install-contract: {outcome.problem}"))
    if outcome.results:
        parts.append(out(render(outcome.results, colour), nl=False))
    return tuple(parts)


def validated_text(outcome: Validated, colour: bool = False) -> Output:
    return _validated(outcome, render_text, colour)


def validated_json(outcome: Validated, colour: bool = False) -> Output:
    return _validated(outcome, render_json, colour)


def validated_github(outcome: Validated, colour: bool = False) -> Output:
    return _validated(outcome, render_github, colour)


def validated_sarif(outcome: Validated, colour: bool = False) -> Output:
    return _validated(outcome, render_sarif, colour)
