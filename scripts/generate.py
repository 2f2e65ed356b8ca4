"""Regenerate `generated/` from the vendored spec, or check that it has not drifted.

    python scripts/generate.py            # rewrite generated/
    python scripts/generate.py --check    # regenerate into a temp dir and diff; exit 1 on drift

The output is a pure function of (spec, generator-config.yaml, templates/, the pinned generator
and ruff), so any difference means someone edited generated code by hand or forgot to regenerate.

The generator and the ruff that formats its output run from a venv of their own, installed from
tools/generator/requirements.txt by `make generator` (every target that needs it makes it first):
$STREAMKAP_GENERATOR_VENV, exported by the Makefile, else .venvs/generator. This script itself
runs in the project's venv; the generator never shares it, so what the generator requires never
constrains the versions the SDK is tested with.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "streamkap.yaml"
CONFIG = ROOT / "generator-config.yaml"
KNOWLEDGE = ROOT / "openapi" / "knowledge.yaml"
TEMPLATES = ROOT / "templates"
PACKAGE = "streamkap_api"
PROVENANCE = "PROVENANCE.json"
_CACHES = {"__pycache__"}  # tool caches (.mypy_cache, .ruff_cache, ...) are not generated code
GENERATOR_PINS = ROOT / "tools" / "generator" / "requirements.txt"
GENERATOR_VENV_VAR = "STREAMKAP_GENERATOR_VENV"
PINNED = ("openapi-python-client", "ruff")  # what PROVENANCE.json records


class GeneratorError(SystemExit):
    """The generator's venv is missing or is not the pinned one."""


@dataclass(frozen=True)
class Generator:
    """The generator's venv: where its interpreter and tools are, and what it has installed."""

    venv: Path
    versions: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"


def generator_venv() -> Path:
    return Path(os.environ.get(GENERATOR_VENV_VAR) or ROOT / ".venvs" / "generator")


def pinned_versions(pins: Path = GENERATOR_PINS) -> dict[str, str]:
    """`name: version` of the PINNED packages in the generator's requirements file."""
    found: dict[str, str] = {}
    for line in pins.read_text(encoding="utf-8").splitlines():
        name, sep, rest = line.partition("==")
        if sep and name.strip().lower() in PINNED:
            found[name.strip().lower()] = rest.split(";")[0].split()[0]
    return found


# Run by the generator's interpreter: its versions of PINNED, and its own names for the strings
# given (property and parameter names, snake_case module names), to hold scripts/surface.py's
# copy of its naming rules to them.
_PROBE = """
import json, sys
from importlib import metadata
from openapi_python_client.strings import PythonIdentifier, snake_case
asked = json.load(sys.stdin)
json.dump({
    "versions": {name: metadata.version(name) for name in asked["packages"]},
    "python_names": [str(PythonIdentifier(s, prefix="field_")) for s in asked["strings"]],
    "snake": [snake_case(s) for s in asked["strings"]],
}, sys.stdout)
"""


def _probe(venv: Path, strings: Sequence[str]) -> dict[str, Any]:
    asked = json.dumps({"packages": list(PINNED), "strings": list(strings)})
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", _PROBE],
        input=asked, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise GeneratorError(
            f"generate: the generator's venv {venv} does not run the generator:\n"
            f"{done.stderr.strip()}\nrun `make generator` (it makes the venv anew)"
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def find_generator(strings: Sequence[str] = ()) -> tuple[Generator, dict[str, Any]]:
    """The generator's venv, checked against tools/generator/requirements.txt; and its
    answers for `strings` (see _PROBE)."""
    venv = generator_venv()
    if not (venv / "bin" / "python").exists():
        raise GeneratorError(
            f"generate: no generator venv at {venv}: run `make generator` (or any make target "
            f"that runs the generator), or point {GENERATOR_VENV_VAR} at one"
        )
    answers = _probe(venv, strings)
    wanted, have = pinned_versions(), answers["versions"]
    if wanted != have:
        raise GeneratorError(
            f"generate: the generator's venv {venv} has {have}, "
            f"tools/generator/requirements.txt pins {wanted}: run `make generator`"
        )
    return Generator(venv, have), answers


def _strings(*docs: Any) -> list[str]:
    """Every key and string value in `docs`: whatever surface.py may name, and more."""
    found: set[str] = set()
    stack = list(docs)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, str) and "\n" not in item and len(item) <= 200:
            found.add(item)
    return sorted(found)


def check_naming(surface_step: Any, strings: list[str], answers: dict[str, Any]) -> None:
    """scripts/surface.py restates the generator's naming rules (so it runs without the
    generator); fail when they name any of `strings` unlike the pinned generator does."""
    ours = [
        (s, surface_step._python_name(s), surface_step._snake(s), theirs_py, theirs_snake)
        for s, theirs_py, theirs_snake in zip(
            strings, answers["python_names"], answers["snake"], strict=True
        )
    ]
    wrong = [
        f"  {s!r}: generator {g_py!r} / {g_snake!r}, surface.py {py!r} / {snake!r}"
        for s, py, snake, g_py, g_snake in ours
        if (py, snake) != (g_py, g_snake)
    ]
    if wrong:
        raise SystemExit(
            "generate: scripts/surface.py's naming rules differ from the pinned generator's "
            "(update _python_name/_snake from openapi_python_client/strings.py):\n"
            + "\n".join(wrong[:20])
        )


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
        table = surface_step.load_knowledge(knowledge)
        surface_step.derive(doc, table, source=knowledge.name)
    except surface_step.KnowledgeError as exc:  # before the slow generator run
        raise SystemExit(f"generate: {exc}") from None
    normalized_doc = surface_step.normalize(doc)
    strings = _strings(doc, normalized_doc, table)
    generator, answers = find_generator(strings)
    check_naming(surface_step, strings, answers)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / PACKAGE
        normalized = Path(tmp) / "normalized.json"
        normalized.write_text(json.dumps(normalized_doc), encoding="utf-8")
        cmd = [
            str(generator.python),
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
        env = dict(  # the post_hooks of generator-config.yaml run the generator venv's ruff
            os.environ,
            PATH=f"{generator.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        env.pop("VIRTUAL_ENV", None)
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
                [str(generator.bin / "ruff"), *hook, *written],
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
        "generator": f"openapi-python-client=={generator.versions['openapi-python-client']}",
        "ruff": f"ruff=={generator.versions['ruff']}",
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
