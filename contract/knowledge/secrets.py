"""What a secret is, in one place: the loader, the rules, the reporters and render all ask here.

A value is secret when it stands

* in a secret field of an entry (`apiKey`, `awsAccessKeyId`, `awsSecretAccessKey`) or of its
  `vllm:` block (`hfToken`);
* anywhere under a key that looks like one (`…key`, `…token`, `…secret`, `…password`,
  `…authorization` as an HTTP header; not a
  count such as `maxToken`), at any depth and in any YAML form: plain, quoted, tagged
  (`!!int`), a block scalar over several lines, a list or a mapping under that key;
* after a vLLM flag that takes one (`--hf-token=…`, `--hf-token …`, `--api-key …`);
* as the password of a URL (`https://user:pass@host`).

A whole `${VAR}` reference is never secret: it names where the secret is.

A secret is masked in every form it takes in a message (`forms`): as it is, escaped as
`repr`, JSON or a bytes literal write it, URL-encoded, and base64 (at each of the three byte
alignments it can start at inside a longer encoded value). A key, admin token or Unleash
token that cannot go into an HTTP header as it is (`header_problem`) is refused before any
request is sent, by the variable's name, never its value.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, Protocol
from urllib.parse import quote, quote_plus, urlsplit

from contract.knowledge.envref import whole_ref

SECRET_FIELDS = ("apiKey", "awsAccessKeyId", "awsSecretAccessKey")
VLLM_SECRET_FIELDS = ("hfToken",)

# The words a secret-looking key ends in (apiKey, awsAccessKeyId, hfToken, dbPassword, ...).
# `token` after a count word counts tokens (maxToken, num_token, outputToken): not a secret.
_COUNT_WORDS = ("max", "min", "num", "total", "count", "limit", "input", "output", "per")
_NOT_COUNTED = "".join(f"(?<!{word}{sep})" for word in _COUNT_WORDS for sep in ("", "_", "-"))
_WORDS = rf"(?:key|keyid|secret|{_NOT_COUNTED}token|password|passwd|credentials?|authorization)"
SECRET_KEY = re.compile(_WORDS + "$", re.IGNORECASE)
# The same keys on a source line, as `key:` (quoted or not): where a reporter masks the value.
# The lookbehind starts a match only at the start of a token: linear on a 20 MB line.
SECRET_KEY_ON_LINE = re.compile(
    r"""(?<![\w.\-"'])["']?[\w.-]*""" + _WORDS + r"""["']?[ \t]*:(?:[ \t]+|$)""", re.IGNORECASE
)

# vLLM destination of a flag that takes a secret -> the contract field that holds it instead,
# and the variable vLLM reads it from (which the deployment sets from a Secret).
SECRET_FLAG_DESTS = {"api_key": ("apiKey", "VLLM_API_KEY"), "hf_token": ("vllm.hfToken", "HF_TOKEN")}
# Their spellings in vLLM 0.33.0's parser (tests/test_secrets.py checks them against the dump).
SECRET_FLAGS = frozenset({"--api-key", "--hf-token"})

# Shorter values are not masked where they stand: "****" for every `ab` would hide the report.
MIN_MASKED = 4
MASK = "****"


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and SECRET_KEY.search(key) is not None


def is_reference(value: str) -> bool:
    """A whole `${VAR}`: a pointer to a secret, not one."""
    return whole_ref(value, strip=True) is not None


def option_name(arg: str) -> str:
    """The option vLLM looks an argument up by: `--hf_token=x` -> `--hf-token`.

    vLLM's parser takes `_` for `-` and builds JSON from `--compilation-config.level 3`.
    """
    option = arg.split("=", 1)[0]
    if option.startswith("--"):
        option = option.split(".", 1)[0].replace("_", "-")
    return option


def flag_values(args: Sequence[object]) -> Iterator[tuple[int, str]]:
    """(index, value) of every secret a command line carries after a secret flag.

    `--hf-token=x` and `--hf-token x` both give x; `--api-key` takes one or more values.
    """
    taking = False
    for index, arg in enumerate(args):
        if not isinstance(arg, str):
            taking = False
            continue
        if arg.startswith("-"):
            taking = arg.startswith("--") and option_name(arg) in SECRET_FLAGS
            if taking and "=" in arg:
                value = arg.split("=", 1)[1]
                if value:
                    yield index, value
                taking = False
        elif taking:
            yield index, arg


def url_password(value: str) -> str | None:
    """The password of `scheme://user:password@host/…`, if the value is such a URL."""
    if "@" not in value or "://" not in value:
        return None
    try:
        password = urlsplit(value.strip()).password
    except ValueError:
        return None
    return password or None


def forms(secret: str) -> set[str]:
    """Every form `secret` can take in a message: raw, escaped (repr, JSON, bytes literal,
    unicode-escape), URL-encoded and base64 (standard and URL-safe, with and without padding,
    and the part that stays the same wherever it starts inside a longer encoded value)."""
    raw = secret.encode("utf-8", errors="surrogatepass")
    found = {
        secret,
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(raw)[2:-1],
        secret.encode("unicode_escape").decode("ascii"),
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }
    encoded = [base64.b64encode(raw).decode("ascii")]
    for offset in range(3):
        # Inside a longer value the key starts at byte `offset` modulo 3: the characters that
        # encode only its own bytes are the same whatever surrounds it.
        padded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = (offset * 4 + 2) // 3  # characters touched by the bytes before it
        end = ((offset + len(raw)) // 3) * 4  # whole groups only: the bytes after it change the rest
        encoded.append(padded[start:end])
    for value in encoded:
        for text in (value, value.rstrip("=")):
            found.add(text)
            found.add(text.replace("+", "-").replace("/", "_"))
    return {form for form in found if form}


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret value (of MIN_MASKED characters or more), in every form
    it can take (`forms`), replaced by ****."""
    every: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_MASKED:
            every |= {form for form in forms(secret) if len(form) >= MIN_MASKED}
    for form in sorted(every, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return text


def header_problem(value: str) -> str | None:
    """Why `value` cannot be sent in an HTTP header as it is, or None when it can.

    The words never quote the value: "a newline", "a carriage return", "a control character",
    "a character outside ASCII", "spaces at its start or end".
    """
    for char in value:
        if char == "\n":
            return "a newline"
        if char == "\r":
            return "a carriage return"
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return "a control character"
        if ord(char) > 0x7E:
            return "a character outside ASCII"
    if value != value.strip(" "):
        return "spaces at its start or end"
    return None


def refuse_header_value(value: str, holder: str) -> None:
    """Raise `InputError` (exit 2) naming `holder` (a variable, never the value) when `value`
    cannot go into an HTTP header as it is. Called before any request: httpx would otherwise
    quote the value in its own error, and a retry loop would send it again and again."""
    from contract.errors import InputError

    problem = header_problem(value)
    if problem is not None:
        raise InputError(
            f"{holder} holds {problem}, which cannot go into an HTTP header: "
            "fix its value (not shown here) and run again; nothing was sent"
        )


class EntrySecrets(Protocol):
    """Where a typed entry holds secrets (the pipeline's `ModelEntry`): SECRET_FIELDS by their
    snake_case names, `vllm` with VLLM_SECRET_FIELDS and `extra_args`, and `api_base`."""

    @property
    def vllm(self) -> Any: ...

    @property
    def api_base(self) -> str | None: ...


def literal_values(entry: EntrySecrets) -> set[str]:
    """Every literal secret a typed entry holds: what must never reach a rendered file."""
    found: set[str] = set()
    held = [getattr(entry, _attr(name)) for name in SECRET_FIELDS]
    if entry.vllm is not None:
        held += [getattr(entry.vllm, _attr(name)) for name in VLLM_SECRET_FIELDS]
        found.update(value for _, value in flag_values(entry.vllm.extra_args))
    for value in held:
        text = value.get_secret_value() if value is not None else ""
        if text.strip() and not is_reference(text):
            found.add(text)
    for url in (entry.api_base,):
        password = url_password(url) if url else None
        if password:
            found.add(password)
    return {s for s in found if len(s) >= MIN_MASKED}


@cache
def _attr(camel: str) -> str:
    from contract.knowledge.naming import snake as to_snake

    return to_snake(camel)


Place = tuple[tuple[str | int, ...], str]  # (path in the document, what kind of secret)


def literal_places(document: object) -> Iterator[Place]:
    """Where a loaded document (plain dicts, lists, scalars) holds a literal secret, at any depth.

    The same definition as the module docstring, for the whole file (not only `models:`): a
    non-empty scalar under a secret-looking key that is not a whole `${VAR}` (a boolean says
    whether, never what, so it is not one), a URL's password, a secret flag's value in a list.
    """
    stack: list[tuple[tuple[str | int, ...], object, bool]] = [((), document, False)]
    while stack:
        path, value, under_secret_key = stack.pop()
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                stack.append(((*path, str(key)), item, under_secret_key or is_secret_key(key)))
        elif isinstance(value, list):
            for index, flag_value in flag_values(value):
                if not is_reference(flag_value):
                    yield (*path, index), "the value of a secret flag"
            for index in reversed(range(len(value))):
                stack.append(((*path, index), value[index], under_secret_key))
        elif under_secret_key:
            if value is None or isinstance(value, bool):
                continue
            shown = value if isinstance(value, str) else str(value)
            if shown.strip() and not is_reference(shown):
                yield path, "a literal value under a secret-looking key"
        elif isinstance(value, str) and url_password(value):
            yield path, "a password in a URL"
