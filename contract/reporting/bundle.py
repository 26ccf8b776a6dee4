"""What `bundle` and `bundle verify` print (pure functions)."""

from __future__ import annotations

import json

from contract.reporting import Output, Part, err, out
from contract.workflows.bundle.command import Built, Verified


def built_text(outcome: Built, colour: bool = False) -> Output:
    """The kit's size, images and signature; or the diagnostics and reasons it was refused."""
    if outcome.refused is not None:
        from contract.reporting.diagnostics import render_text

        result = outcome.refused.result
        parts: list[Part] = [err(render_text([result]), nl=False)] if result.diagnostics else []
        parts += [err(f"install-contract: {reason}") for reason in outcome.refused.reasons]
        parts.append(err("install-contract: no kit was written"))
        return tuple(parts)
    kit = outcome.kit
    assert kit is not None
    parts = [err(f"warning: {warning}") for warning in kit.warnings]
    size = sum(len(data) for data in kit.files.values())
    pinned = sum(1 for image in kit.images if image.pinned)
    parts.append(
        out(
            f"wrote {outcome.out}: {len(kit.files)} files, {size / 1e6:.1f} MB; "
            f"{len(kit.images)} images ({pinned} pinned); "
            f"{'signed' if kit.signed else 'unsigned'}"
        )
    )
    return tuple(parts)


def verified_text(outcome: Verified, colour: bool = False) -> Output:
    """Each problem (stdout), each warning (stderr), then the verdict."""
    report = outcome.report
    assert report is not None
    parts = [out(f"{problem.file}: {problem.reason}") for problem in report.problems]
    parts += [err(f"warning: {warning}") for warning in report.warnings]
    status = "verified" if report.verified else f"NOT verified: {len(report.problems)} problem(s)"
    parts.append(out(f"{outcome.path}: {status} ({report.files} files, signature: {report.signature})"))
    return tuple(parts)


def verified_json(outcome: Verified, colour: bool = False) -> Output:
    assert outcome.report is not None
    return (out(json.dumps(outcome.report.as_dict(), indent=2)),)
