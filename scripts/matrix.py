"""Run the project's whole test suite in other environments, each in a venv of its own.

    python scripts/matrix.py pythons [--only 3.12,3.13]   # make test-pythons
    python scripts/matrix.py deps [--only lowest]         # make test-deps
    python scripts/matrix.py httpx2                       # make test-httpx2

pythons: every CPython that pyenv has (`pyenv versions`) and that `requires-python` allows, the
newest patch release of each minor version; the others are listed as skipped, with the reason.
deps:    the lowest versions the declared ranges allow (uv's `--resolution lowest-direct`: every
direct dependency, runtime and extras, at its floor), the newest they allow (what
`pip install streamkap-sdk` gets), and the newest with httpx at its previous minor version
(httpx-0.28: 0.28.1, what a service whose other dependencies cap httpx below 0.29 gets), on the
interpreter running this script (the oldest supported Python, where floors matter).
httpx2:  httpx2 from PyPI, with `httpx2.alias_httpx()` run at interpreter start-up by a `.pth`
file of the venv, so every process of the suite (subprocesses included) imports httpx2 as
`httpx`; tests/test_httpx_flavor.py fails the run if the alias was not in effect.

Each environment gets the project (editable) with every extra and the `dev` dependency group,
installed by uv (the dev group has it) under .venvs/<name> (not the code generator: the suite
runs it from its own venv, .venvs/generator, which the Makefile makes); the suite is `pytest`
over tests/, as `make test` runs it, with its log in .venvs/<name>.log. One summary line per
environment at the end; the exit code is 1 if any run failed or nothing could run.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT: Final = Path(__file__).resolve().parent.parent
VENVS: Final = ROOT / ".venvs"
UV: Final = str(Path(sys.executable).with_name("uv"))
SUITE_TIMEOUT: Final = 45 * 60  # one whole suite; `make test` takes about 6 minutes
ALIAS_PTH: Final = "streamkap_httpx2_alias.pth"
_CPYTHON: Final = re.compile(r"\d+\.\d+\.\d+")
_SUMMARY: Final = re.compile(r"^=* ?(\d+ (passed|failed|error).*) in [\d.]+s.*$")


@dataclasses.dataclass(frozen=True)
class Project:
    requires_python: SpecifierSet
    extras: tuple[str, ...]
    direct: tuple[str, ...]  # runtime and extras' dependencies, by distribution name
    classifiers: tuple[str, ...]

    @classmethod
    def read(cls, path: Path = ROOT / "pyproject.toml") -> Project:
        project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
        extras = project.get("optional-dependencies", {})
        names = [Requirement(r).name for r in project.get("dependencies", [])]
        names += [Requirement(r).name for reqs in extras.values() for r in reqs]
        return cls(
            SpecifierSet(project["requires-python"]),
            tuple(extras),
            tuple(dict.fromkeys(names)),
            tuple(project.get("classifiers", [])),
        )

    @property
    def classified_pythons(self) -> list[str]:
        prefix = "Programming Language :: Python :: "
        found = (c.removeprefix(prefix) for c in self.classifiers if c.startswith(prefix))
        return [v for v in found if re.fullmatch(r"3\.\d+", v)]


@dataclasses.dataclass(frozen=True)
class Choice:
    version: str
    run: bool
    reason: str = ""


def choose_pythons(versions: Iterable[str], requires: SpecifierSet) -> list[Choice]:
    """Which of pyenv's versions run the suite: CPython allowed by `requires`, the newest
    patch release of each minor version. The others, with the reason they are skipped."""
    releases = sorted(Version(v) for v in versions if _CPYTHON.fullmatch(v))
    newest = {(v.major, v.minor): v for v in releases}  # sorted: the last of each minor wins
    choices = [
        Choice(v, False, "not a CPython release") for v in versions if not _CPYTHON.fullmatch(v)
    ]
    for version in releases:
        best = newest[(version.major, version.minor)]
        if version not in requires:
            choices.append(
                Choice(str(version), False, f"unsupported: requires-python is {requires}")
            )
        elif version != best:
            choices.append(Choice(str(version), False, f"older than {best}, which runs"))
        else:
            choices.append(Choice(str(version), True))
    return choices


def pyenv_versions() -> tuple[list[str], Path] | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    listed = subprocess.run(
        [pyenv, "versions", "--bare", "--skip-aliases"], capture_output=True, text=True, check=True
    ).stdout.split()
    root = Path(
        subprocess.run([pyenv, "root"], capture_output=True, text=True, check=True).stdout.strip()
    )
    return listed, root


@dataclasses.dataclass
class Outcome:
    name: str
    summary: str
    ok: bool
    seconds: float
    details: str = ""


def _run(
    cmd: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None, timeout: float = 900
) -> int:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        try:
            done = subprocess.run(
                cmd,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            out.write(f"\n(timed out after {timeout:.0f} s)\n")
            return 124
    return done.returncode


def make_venv(name: str, python: str, log: Path) -> Path:
    """A fresh venv .venvs/<name> on `python`; its interpreter."""
    target = VENVS / name
    if target.exists():
        shutil.rmtree(target)
    VENVS.mkdir(exist_ok=True)
    if _run([UV, "venv", "--quiet", "--python", python, str(target)], log=log) != 0:
        raise RuntimeError(f"could not create a venv on {python} (see {_shown(log)})")
    return target / "bin" / "python"


def install(
    python: Path, log: Path, *, requirements: Path | None = None, extra: Sequence[str] = ()
) -> None:
    """The project (editable, every extra) and the dev group; pinned by `requirements` if given."""
    extras = ",".join(Project.read().extras)
    uv_pip = [UV, "pip", "install", "--quiet", "--python", str(python)]
    if requirements is not None:  # the resolved set first, then the project without resolving again
        steps = [[*uv_pip, "-r", str(requirements)], [*uv_pip, "--no-deps", "-e", "."]]
    else:
        steps = [[*uv_pip, "-e", f".[{extras}]", "--group", "dev", *extra]]
    for step in steps:
        if _run(step, log=log) != 0:
            raise RuntimeError(
                f"installing into {python.parent.parent.name} failed (see {_shown(log)})"
            )


def run_suite(
    python: Path, log: Path, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
) -> tuple[bool, str]:
    """`pytest` over tests/, as `make test` runs it; (passed, pytest's summary line)."""
    merged = {**os.environ, **(env or {})}
    merged.pop("VIRTUAL_ENV", None)
    merged["PATH"] = f"{python.parent}{os.pathsep}{merged.get('PATH', '')}"
    start = log.stat().st_size if log.exists() else 0
    code = _run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        log=log,
        env=merged,
        timeout=SUITE_TIMEOUT,
    )
    with log.open(encoding="utf-8", errors="replace") as out:
        out.seek(start)
        lines = out.read().splitlines()
    summary = next(
        (m[1] for line in reversed(lines) if (m := _SUMMARY.match(line.strip("= ")))), ""
    )
    if not summary:
        summary = "timed out" if code == 124 else f"pytest exited {code} (no summary)"
    return code == 0, summary


def versions_in(python: Path, names: Iterable[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: print(n, '-')\n"
    )
    out = subprocess.run(
        [str(python), "-c", code, *names], capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _fresh_log(name: str) -> Path:
    VENVS.mkdir(exist_ok=True)
    log = VENVS / f"{name}.log"
    log.write_text(f"# {name}: {time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")
    return log


def _environment(
    name: str,
    python: str,
    *,
    requirements: Path | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    after_install: Callable[[Path], None] | None = None,
    pytest_args: Sequence[str] = (),
) -> tuple[Outcome, Path | None]:
    """Build the venv, install, run the suite: the outcome, and the venv's interpreter."""
    log = _fresh_log(name)
    started = time.monotonic()
    print(f"--- {name}: installing ({_shown(log)})", flush=True)
    try:
        interpreter = make_venv(name, python, log)
        install(interpreter, log, requirements=requirements, extra=extra)
        if after_install is not None:
            after_install(interpreter)
    except RuntimeError as exc:
        return Outcome(name, f"not run: {exc}", False, time.monotonic() - started), None
    print(f"--- {name}: running the suite", flush=True)
    ok, summary = run_suite(interpreter, log, env, pytest_args)
    outcome = Outcome(name, summary, ok, time.monotonic() - started)
    print(f"--- {name}: {'ok' if ok else 'FAILED'}: {summary}", flush=True)
    return outcome, interpreter


def _report(title: str, outcomes: list[Outcome], skipped: Sequence[str] = ()) -> int:
    print(f"\n{title}")
    for o in outcomes:
        verdict = "ok    " if o.ok else "FAILED"
        print(f"  {o.name:<22} {verdict} {o.summary} ({o.seconds / 60:.1f} min)")
        for line in o.details.splitlines():
            print(f"  {'':<22}        {line}")
    for line in skipped:
        print(f"  {line}")
    if not outcomes:
        print("  nothing ran")
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


# -- the three matrices ----------------------------------------------------------------------


def pythons(only: set[str]) -> int:
    project = Project.read()
    found = pyenv_versions()
    if found is None:
        print("pyenv is not installed: no other Python to test on")
        return 1
    listed, root = found
    outcomes: list[Outcome] = []
    skipped: list[str] = []
    for choice in choose_pythons(listed, project.requires_python):
        minor = ".".join(choice.version.split(".")[:2])
        if choice.run and only and minor not in only:
            skipped.append(f"{choice.version:<22} skipped: not in --only")
            continue
        if not choice.run:
            skipped.append(f"{choice.version:<22} skipped: {choice.reason}")
            continue
        python = root / "versions" / choice.version / "bin" / "python"
        outcome, _ = _environment(f"py{choice.version}", str(python))
        outcomes.append(outcome)
    ran = {".".join(o.name.removeprefix("py").split(".")[:2]) for o in outcomes}
    have = {".".join(v.split(".")[:2]) for v in listed if _CPYTHON.fullmatch(v)}
    for minor in project.classified_pythons:
        if minor not in have:
            skipped.append(
                f"{minor:<22} not found: pyenv has no {minor} (its classifier is claimed)"
            )
    code = _report("Python versions (the whole suite in each):", outcomes, skipped)
    unclaimed = sorted(ran - set(project.classified_pythons))
    if unclaimed:
        print(f"  note: passed on {', '.join(unclaimed)} with no classifier for it")
    return code


# name: uv's resolution strategy, and constraints on top of the declared ranges
RESOLUTIONS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "lowest": ("lowest-direct", ()),
    "httpx-0.28": ("highest", ("httpx==0.28.*",)),
    "newest": ("highest", ()),
}


def deps(only: set[str]) -> int:
    project = Project.read()
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    outcomes: list[Outcome] = []
    for label, (resolution, constraints) in RESOLUTIONS.items():
        if only and label not in only:
            continue
        name = f"deps-{label}"
        log = _fresh_log(name)
        pins = VENVS / f"{name}.txt"
        compile_cmd = [
            UV, "pip", "compile", "pyproject.toml", "--all-extras", "--group", "dev", "--quiet",
            "--resolution", resolution, "--python-version", python_version, "--no-header",
            "--output-file", str(pins),
        ]  # fmt: skip
        if constraints:
            constraint_file = VENVS / f"{name}-constraints.txt"
            constraint_file.write_text("\n".join(constraints) + "\n", encoding="utf-8")
            compile_cmd += ["--constraint", str(constraint_file)]
        if _run(compile_cmd, log=log) != 0:
            outcomes.append(Outcome(name, f"not run: no resolution (see {_shown(log)})", False, 0))
            continue
        outcome, interpreter = _environment(name, sys.executable, requirements=pins)
        if interpreter is not None:
            got = versions_in(interpreter, project.direct)
            outcome.details = ", ".join(f"{n} {v}" for n, v in got.items())
        outcomes.append(outcome)
    return _report(f"Dependency ranges on Python {python_version} (runtime and extras):", outcomes)


def httpx2() -> int:
    def alias(python: Path) -> None:
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        # a .pth line starting with `import` runs at start-up, before anything imports httpx
        (Path(site) / ALIAS_PTH).write_text(
            "import httpx2; httpx2.alias_httpx()\n", encoding="utf-8"
        )

    outcome, interpreter = _environment(
        "httpx2", sys.executable, extra=["httpx2"], env={"STREAMKAP_TEST_HTTPX": "httpx2"},
        after_install=alias,
    )  # fmt: skip
    if interpreter is not None:
        got = versions_in(interpreter, ["httpx2", "httpcore2", "httpx"])
        outcome.details = (
            ", ".join(f"{n} {v}" for n, v in got.items()) + " (httpx installed, unused)"
        )
    return _report("httpx2 (httpx2.alias_httpx() in every process):", [outcome])


def main(argv: list[str] | None = None) -> int:
    # Started in the background by a shell (`make test-deps &`), this process ignores SIGINT,
    # and so would every process of the suite: the tests that stop the sandbox or the
    # exporter with Ctrl+C would then time out. Its children get the default disposition.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("matrix", choices=("pythons", "deps", "httpx2"))
    parser.add_argument(
        "--only", default="", help="pythons: e.g. 3.12,3.13; deps: lowest, httpx-0.28, newest"
    )
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if args.matrix == "pythons":
        return pythons(only)
    if args.matrix == "deps":
        return deps(only)
    return httpx2()


if __name__ == "__main__":
    raise SystemExit(main())
