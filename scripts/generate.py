"""Regenerate `generated/` from the vendored spec, or check that it has not drifted.

    python scripts/generate.py            # rewrite generated/
    python scripts/generate.py --check    # regenerate into a temp dir and diff; exit 1 on drift

The output is a pure function of (spec, generator-config.yaml, templates/, the pinned generator
and ruff), so any difference means someone edited generated code by hand or forgot to regenerate.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "streamkap.yaml"
CONFIG = ROOT / "generator-config.yaml"
KNOWLEDGE = ROOT / "openapi" / "knowledge.yaml"
TEMPLATES = ROOT / "templates"
PACKAGE = "streamkap_api"
PROVENANCE = "PROVENANCE.json"
_CACHES = {"__pycache__"}  # tool caches (.mypy_cache, .ruff_cache, ...) are not generated code


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _templates_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")) if TEMPLATES.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(TEMPLATES).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


# What the generator writes that the SDK does not ship: a second client without renewal,
# retries or strict decoding, and its errors (the endpoint template emits only the public
# request builder).
_NOT_SHIPPED = ("client.py", "errors.py")


def generate_into(
    out_dir: Path, spec: Path = SPEC, config: Path = CONFIG, knowledge: Path = KNOWLEDGE
) -> None:
    """Write `<out_dir>/streamkap_api/` and `<out_dir>/PROVENANCE.json`.

    Steps: normalise the spec (named components for inline schemas: readable class names),
    run the pinned generator with the custom templates, drop what is not shipped, then derive
    the SDK surface (`surface.py`, `resources.py`) from the spec and the knowledge table.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import surface as surface_step
    import yaml

    out_dir.mkdir(parents=True, exist_ok=True)
    package_dir = out_dir / PACKAGE
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    try:
        surface_step.derive(doc, surface_step.load_knowledge(knowledge), source=knowledge.name)
    except surface_step.KnowledgeError as exc:  # before the slow generator run
        raise SystemExit(f"generate: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / PACKAGE
        normalized = Path(tmp) / "normalized.json"
        normalized.write_text(json.dumps(surface_step.normalize(doc)), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(normalized),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(target),
        ]
        if TEMPLATES.is_dir():
            cmd += ["--custom-template-path", str(TEMPLATES)]
        env = dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if proc.returncode != 0 or not (target / "__init__.py").exists():
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit("generate: openapi-python-client failed")
        for name in _NOT_SHIPPED:
            (target / name).unlink(missing_ok=True)
        surface_step.write(target, doc, knowledge)
        written = [str(target / "surface.py"), str(target / "resources.py")]
        for hook in (["check", "--fix-only", "--quiet"], ["format", "--quiet"]):
            subprocess.run(
                [str(Path(sys.executable).parent / "ruff"), *hook, *written],
                check=True,
                cwd=tmp,
            )
        shutil.rmtree(target / ".ruff_cache", ignore_errors=True)
        (target / "py.typed").write_text("# Marker file for PEP 561\n")
        if package_dir.exists():
            shutil.rmtree(package_dir)
        shutil.copytree(target, package_dir)
    provenance = {
        "spec": spec.relative_to(ROOT).as_posix() if spec.is_relative_to(ROOT) else str(spec),
        "spec_sha256": _sha256(spec),
        "config_sha256": _sha256(config),
        "knowledge_sha256": _sha256(knowledge),
        "templates_sha256": _templates_digest(),
        "generator": f"openapi-python-client=={metadata.version('openapi-python-client')}",
        "ruff": f"ruff=={metadata.version('ruff')}",
    }
    (out_dir / PROVENANCE).write_text(json.dumps(provenance, indent=2) + "\n")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part in _CACHES or part.endswith("_cache") for part in p.parts)
    }


def drift(committed: Path, fresh: Path) -> list[str]:
    """Human-readable differences between two generated trees (empty when identical)."""
    old, new = _tree(committed), _tree(fresh)
    report: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            report.append(f"only in committed generated/: {name}")
        elif name not in old:
            report.append(f"missing from committed generated/: {name}")
        elif old[name] != new[name]:
            diff = difflib.unified_diff(
                old[name].decode(errors="replace").splitlines(),
                new[name].decode(errors="replace").splitlines(),
                f"committed/{name}",
                f"regenerated/{name}",
                lineterm="",
                n=1,
            )
            report.extend(list(diff)[:40])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="regenerate or drift-check generated/")
    parser.add_argument("--check", action="store_true", help="fail if generated/ differs")
    parser.add_argument("--output", type=Path, default=ROOT / "generated")
    args = parser.parse_args(argv)
    if not args.check:
        generate_into(args.output)
        print(f"generated {args.output}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate_into(Path(tmp))
        problems = drift(args.output, Path(tmp))
    if problems:
        print("generated/ has drifted from spec + config + pinned generator:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        print(
            "run `make generate` and commit the result (never edit generated/ by hand)",
            file=sys.stderr,
        )
        return 1
    print("generated/ matches spec + config + pinned generator")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
