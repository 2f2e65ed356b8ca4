"""The SDK reaches its dependencies through their public APIs only (issue 22).

An AST scan of every module of overlays/streamkap_sdk fails, naming file:line, on

- an import of a private module or name of a dependency or of the standard library
  (`from httpx._models import Response`, `import httpcore._async`, `from httpx import _utils`),
  or of a name outside the module's public API: for the standard library, what typeshed's stub
  of it (the one mypy ships) declares and does not mark `# undocumented`; for the HTTP stack
  (httpx, httpcore, h11, anyio, aiohttp, httpx-aiohttp), the module's `__all__`, or for a
  module without one any name but a private module's object under a public name (`from
  json.encoder import c_make_encoder` is `_json`'s encoder). Attribute chains from an imported
  module are held to the same (`urllib.request.proxy_bypass_environment`,
  `argparse._ArgumentGroup`); other packages to their underscore names only;
- a read, write or `getattr`/`setattr`/`hasattr`/`delattr` of an underscore attribute (not a
  dunder) on anything but the SDK's own objects. Its own are `self`, `cls`, `super()`, names
  bound to its own modules, classes and module-level objects, and names whose type the scan can
  tell is the SDK's (an annotation, an assignment from `self` or from one of its classes, an
  attribute that its classes annotate with one of its types). On any other object the attribute
  must be one that the SDK itself defines (`self._x = ...`, a class attribute or method, a
  `__slots__` entry, in overlays/ or generated/), and one that no dependency the overlay
  imports also defines: such a name (`_request` is the SDK's and httpx's) is flagged unless the
  scan can tell whose object it is. An object that the scan knows is a dependency's (a name
  bound to an import, an annotation, an `isinstance` check in force, a dependency's call) is
  flagged whatever the attribute.

REVIEWED lists what the scan flags but is the SDK's own after all (an object reached through a
call whose result it cannot type), KNOWN what it found and is still to be fixed, each with the
reason; an entry that the scan no longer finds fails too.

    python tests/test_public_apis_only.py      # every finding, one a line
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parent.parent
OVERLAY: Final = ROOT / "overlays" / "streamkap_sdk"
GENERATED: Final = ROOT / "generated" / "streamkap_api"
OWN_PACKAGES: Final = frozenset({"streamkap_sdk", "streamkap_api"})
#: The dependencies the SDK's HTTP paths rest on: their private attribute names are always
#: collected (also when the overlay reaches their objects only through httpx).
HTTP_STACK: Final = ("httpx", "httpcore", "h11", "anyio", "aiohttp", "httpx_aiohttp", "json")
#: Underscore names that are documented public API of their module.
DOCUMENTED: Final = frozenset({("os", "_exit")})
#: Packages whose names say nothing about the type of an annotated object (containers, typing).
NEUTRAL_MODULES: Final = frozenset({"typing", "typing_extensions", "collections.abc", "builtins"})
#: (file, what) -> why it is the SDK's own after all: for what the scan cannot see through.
REVIEWED: Final[dict[tuple[str, str], str]] = {}
#: (file, what) -> what to use instead: dependency internals this scan found in the overlay
#: (issue 22), in modules whose owners fix them; the entry goes with the fix. Anything else the
#: scan finds fails the test, and so does an entry here that the scan no longer finds.
KNOWN: Final[dict[tuple[str, str], str]] = {}

OWN, DEP = "own", "dep"
Kind = str | None  # OWN, DEP or None (unknown)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str
    why: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.path, self.what)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.why}"


# -- which private names exist ------------------------------------------------------------------


def own_defined(sources: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Underscore attributes the SDK defines: `self._x =` / `cls._x =` (annotated or not),
    class-level attributes and methods, `__slots__` entries."""
    names: set[str] = set()
    for _, text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                base = node.value
                if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                    names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    names.update(_class_level_names(stmt))
    return frozenset(n for n in names if is_private(n))


def _class_level_names(stmt: ast.stmt) -> Iterator[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield stmt.name
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        yield stmt.target.id
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                yield target.id
                if target.id == "__slots__":
                    for item in ast.walk(stmt.value):
                        if isinstance(item, ast.Constant) and isinstance(item.value, str):
                            yield item.value


#: what a dependency's source defines as an attribute: `x._name =`, `x._name: T =`, and
#: (indented, so in a class or a function) `def _name(` and `_name =` / `_name: T`
_DEP_DEFINITION = re.compile(
    r"\.(_\w+)\s*(?::[^=\n]+)?=(?!=)|^[ \t]+(?:async[ \t]+)?def[ \t]+(_\w+)"
    r"|^[ \t]+(_\w+)[ \t]*(?::|=(?!=))",
    re.MULTILINE,
)


def dependency_defined(modules: Iterable[str]) -> dict[str, frozenset[str]]:
    """Underscore names each dependency's source defines (by text: over-inclusive on purpose,
    an extra name only makes the scan ask for more certainty), by top-level package."""
    found: dict[str, frozenset[str]] = {}
    for top in sorted(set(modules)):
        names: set[str] = set()
        for path in _source_files(top):
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in _DEP_DEFINITION.finditer(text):
                name = next(g for g in match.groups() if g)
                if is_private(name):
                    names.add(name)
        found[top] = frozenset(names)
    return found


def _source_files(top: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return []  # built-in or compiled: no source to read
    origin = Path(spec.origin)
    if origin.name == "__init__.py":
        return sorted(origin.parent.rglob("*.py"))
    return [origin]


# -- the scan of one module ---------------------------------------------------------------------


@dataclass
class Binding:
    kind: Kind
    module: str | None = None  # the dotted path it is bound to, for an import
    values: list[ast.expr] = field(default_factory=list)  # assignments
    annotation: ast.expr | None = None
    is_class: bool = False


@dataclass
class Scope:
    names: dict[str, Binding]
    parent: Scope | None


class ModuleScan:
    def __init__(
        self,
        text: str,
        path: str,
        own_names: frozenset[str],
        dep_names: dict[str, frozenset[str]],
        attribute_types: dict[str, list[ast.expr]],
    ) -> None:
        self.tree = ast.parse(text)
        self.path = path
        self.own_names = own_names
        self.dep_names = dep_names
        self.attribute_types = attribute_types  # SDK-wide: attribute -> its annotations
        self.findings: list[Finding] = []
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.scopes: dict[ast.AST, Scope] = {}
        self.module_scope = Scope(self._bindings(self.tree.body), None)
        self.scopes[self.tree] = self.module_scope

    # -- bindings ---------------------------------------------------------------------------

    def _bindings(
        self, body: list[ast.stmt], args: ast.arguments | None = None
    ) -> dict[str, Binding]:
        names: dict[str, Binding] = {}
        if args is not None:
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                kind = OWN if arg.arg in ("self", "cls") else None
                names[arg.arg] = Binding(kind, annotation=arg.annotation)
            for rest in (args.vararg, args.kwarg):
                if rest is not None:
                    names[rest.arg] = Binding(None)
        for stmt in _own_statements(body):
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    module = alias.name if alias.asname else alias.name.split(".")[0]
                    kind = OWN if _top(alias.name) in OWN_PACKAGES else DEP
                    names[bound] = Binding(kind, module)
            elif isinstance(stmt, ast.ImportFrom):
                own = stmt.level > 0 or _top(stmt.module or "") in OWN_PACKAGES
                for alias in stmt.names:
                    names[alias.asname or alias.name] = Binding(
                        OWN if own else DEP,
                        None if own else f"{stmt.module}.{alias.name}",
                        is_class=alias.name[:1].isupper(),
                    )
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                names[stmt.name] = Binding(OWN)
            elif isinstance(stmt, ast.ClassDef):
                names[stmt.name] = Binding(OWN, is_class=True)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.For | ast.AsyncFor):
                self._bind_targets(stmt, names)
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    if isinstance(item.optional_vars, ast.Name):
                        names.setdefault(item.optional_vars.id, Binding(None)).values.append(
                            item.context_expr
                        )
        return names

    def _bind_targets(self, stmt: ast.stmt, names: dict[str, Binding]) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, Binding(None)).values.append(stmt.value)
                elif isinstance(target, ast.Tuple | ast.List | ast.Starred):  # unknown parts
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            names.setdefault(name.id, Binding(None)).values.append(
                                ast.Constant(None)
                            )
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            binding = names.setdefault(stmt.target.id, Binding(None))
            binding.annotation = stmt.annotation
            if stmt.value is not None:
                binding.values.append(stmt.value)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            for name in ast.walk(stmt.target):
                if isinstance(name, ast.Name):  # an element of something: not known
                    names.setdefault(name.id, Binding(None)).values.append(ast.Constant(None))

    def scope_of(self, node: ast.AST) -> Scope:
        chain: list[ast.AST] = []
        current: ast.AST | None = self.parents.get(node)
        while current is not None:
            chain.append(current)
            current = self.parents.get(current)
        scope = self.module_scope
        for owner in reversed(chain):  # outermost first
            if isinstance(owner, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                if owner not in self.scopes:
                    body = owner.body if isinstance(owner.body, list) else []
                    self.scopes[owner] = Scope(self._bindings(body, owner.args), scope)
                scope = self.scopes[owner]
        return scope

    # -- kinds --------------------------------------------------------------------------------

    def name_kind(self, name: str, scope: Scope | None, seen: frozenset[int]) -> Kind:
        while scope is not None:
            binding = scope.names.get(name)
            if binding is not None:
                return self.binding_kind(binding, scope, seen)
            scope = scope.parent
        return None

    def binding_kind(self, binding: Binding, scope: Scope, seen: frozenset[int]) -> Kind:
        if binding.kind is not None:
            return binding.kind
        kinds: list[Kind] = []
        if binding.annotation is not None:
            kinds.append(self.annotation_kind(binding.annotation, scope))
        kinds += [self.value_kind(value, scope, seen) for value in binding.values]
        return _combined(kinds)

    def annotation_kind(self, annotation: ast.expr, scope: Scope, depth: int = 0) -> Kind:
        if depth > 8:  # an alias of an alias of ...: give up
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        kinds: list[Kind] = []
        for node in ast.walk(annotation):
            if not isinstance(node, ast.Name) or node.id in vars(builtins):
                continue
            binding = self._lookup(node.id, scope)
            if binding is None:
                continue
            if binding.module is not None and _is_neutral(binding.module):
                continue
            if binding.kind is None:  # a module-level alias: what it is made of
                made_of = [self.annotation_kind(v, scope, depth + 1) for v in binding.values]
                kinds.append(_combined(made_of))
            else:
                kinds.append(binding.kind)
        return _combined(kinds)

    def _lookup(self, name: str, scope: Scope | None) -> Binding | None:
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def value_kind(self, value: ast.expr, scope: Scope, seen: frozenset[int]) -> Kind:
        if id(value) in seen:
            return None
        seen = seen | {id(value)}
        if isinstance(value, ast.Name):
            return self.name_kind(value.id, scope, seen)
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Name) and func.id == "type":
                return None
            if isinstance(func, ast.Attribute) and _dotted(func) in ("copy.copy", "copy.deepcopy"):
                return self.value_kind(value.args[0], scope, seen) if value.args else None
            if isinstance(func, ast.Name):
                binding = self._lookup(func.id, scope)
                if func.id == "cls" or (binding is not None and binding.is_class):
                    return self.binding_kind(binding, scope, seen) if binding else OWN
                if binding is not None and binding.kind == DEP:
                    return DEP  # whatever a dependency's callable returns is the dependency's
                return None
            if isinstance(func, ast.Attribute):
                root = _root_name(func)
                if root is not None and self.name_kind(root, scope, seen) == DEP:
                    return DEP
            return None
        if isinstance(value, ast.Attribute):
            base = self.receiver_kind(value.value, scope, seen)
            if base == DEP:
                return DEP
            if base == OWN:  # what the SDK's classes declare that attribute to be
                hints = self.attribute_types.get(value.attr, [])
                return _combined([self.annotation_kind(h, scope) for h in hints]) if hints else None
            return None
        if isinstance(value, ast.IfExp):
            return _combined(
                [
                    self.value_kind(value.body, scope, seen),
                    self.value_kind(value.orelse, scope, seen),
                ]
            )
        return None

    def receiver_kind(self, node: ast.expr, scope: Scope, seen: frozenset[int]) -> Kind:
        if isinstance(node, ast.Name) and node.id in ("self", "cls"):
            return OWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "super":
                return OWN
            if node.func.id == "type" and node.args:  # type(self)
                return self.receiver_kind(node.args[0], scope, seen)
        return self.value_kind(node, scope, seen)

    def narrowed(self, node: ast.expr, scope: Scope) -> Kind:
        """What an `isinstance(name, T)` in force where `node` is says `name` is."""
        if not isinstance(node, ast.Name):
            return None
        child: ast.AST = node
        parent = self.parents.get(child)
        while parent is not None:
            if isinstance(parent, ast.If | ast.IfExp | ast.While) and child is not parent.test:
                in_body = (
                    child in parent.body if isinstance(parent.body, list) else child is parent.body
                )
                if in_body:
                    kind = self._isinstance_in(parent.test, node.id, scope, positive=True)
                    if kind is not None:
                        return kind
            if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.And):
                for earlier in parent.values[: parent.values.index(child)]:  # type: ignore[arg-type]
                    kind = self._isinstance_in(earlier, node.id, scope, positive=True)
                    if kind is not None:
                        return kind
            body = getattr(parent, "body", None)
            if isinstance(body, list) and child in body:
                for earlier in body[: body.index(child)]:  # `if not isinstance(x, T): return`
                    if (
                        isinstance(earlier, ast.If)
                        and earlier.body
                        and isinstance(earlier.body[-1], ast.Return | ast.Raise | ast.Continue)
                    ):
                        kind = self._isinstance_in(earlier.test, node.id, scope, positive=False)
                        if kind is not None:
                            return kind
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return None  # a narrowing outside the function does not hold inside it
            child, parent = parent, self.parents.get(parent)
        return None

    def _isinstance_in(self, test: ast.expr, name: str, scope: Scope, *, positive: bool) -> Kind:
        if not positive:
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                return self._isinstance_in(test.operand, name, scope, positive=True)
            return None
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            for value in test.values:
                kind = self._isinstance_in(value, name, scope, positive=True)
                if kind is not None:
                    return kind
            return None
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance"
            and len(test.args) == 2
            and isinstance(test.args[0], ast.Name)
            and test.args[0].id == name
        ):
            return self.annotation_kind(test.args[1], scope)
        return None

    # -- checks -------------------------------------------------------------------------------

    def run(self) -> list[Finding]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _top(alias.name) not in OWN_PACKAGES:
                        self._check_module_path(node, alias.name)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if _top(node.module) not in OWN_PACKAGES:
                    self._check_from_import(node)
            elif isinstance(node, ast.Attribute):
                self._check_attribute(node, node.value, node.attr)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                self._check_attribute(node, node.args[0], node.args[1].value)
        return self.findings

    def _flag(self, node: ast.AST, what: str, why: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), what, why))

    def _check_module_path(self, node: ast.AST, module: str) -> bool:
        private = [part for part in module.split(".") if is_private(part)]
        if private:
            self._flag(node, f"import of {module}", f"{private[0]} is a private module")
        return not private

    def _check_from_import(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module == "__future__" or not self._check_module_path(node, module):
            return
        for alias in node.names:
            what = f"from {module} import {alias.name}"
            if alias.name == "*":
                continue
            if is_private(alias.name):
                self._flag(node, what, f"{alias.name} is private to {module}")
            else:
                why = _not_public(module, alias.name)
                if why:
                    self._flag(node, what, why)

    def _check_attribute(self, node: ast.AST, receiver: ast.expr, attr: str) -> None:
        scope = self.scope_of(node)
        text = ast.unparse(receiver)
        if not is_private(attr):
            why = self._module_member_check(receiver, attr, scope)
            if why:
                self._flag(node, f"{text}.{attr}", why)
            return
        kind = self.narrowed(receiver, scope) or self.receiver_kind(receiver, scope, frozenset())
        module = self._module_of(receiver, scope)
        if module is not None and (module, attr) in DOCUMENTED:
            return
        if kind == OWN:
            return
        what = f"{text}.{attr}"
        if kind == DEP:
            owner = f"the module {module}" if module else "a dependency's object"
            self._flag(node, what, f"a private attribute of {owner}")
            return
        if attr not in self.own_names:
            self._flag(node, what, "the SDK defines no such attribute: it is a dependency's")
            return
        also = sorted(top for top, names in self.dep_names.items() if attr in names)
        if also:
            self._flag(
                node,
                what,
                f"{attr} is the SDK's and also {', '.join(also)}'s, and the scan cannot tell "
                f"whose object {text} is",
            )

    def _module_of(self, receiver: ast.expr, scope: Scope) -> str | None:
        """The dotted module path `receiver` names (`os`, `urllib.request`), if it names one."""
        parts: list[str] = []
        while isinstance(receiver, ast.Attribute):
            parts.append(receiver.attr)
            receiver = receiver.value
        if not isinstance(receiver, ast.Name):
            return None
        binding = self._lookup(receiver.id, scope)
        if binding is None or binding.kind != DEP or binding.module is None:
            return None
        dotted = ".".join([binding.module, *reversed(parts)])
        return dotted if isinstance(_resolve(dotted), types.ModuleType) else None

    def _module_member_check(self, receiver: ast.expr, attr: str, scope: Scope) -> str | None:
        module = self._module_of(receiver, scope)
        return _not_public(module, attr) if module is not None else None


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body, into if/try/with/for blocks, not into defs and classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                yield from _own_statements(inner)
        for handler in getattr(stmt, "handlers", []):
            yield from _own_statements(handler.body)
        for case in getattr(stmt, "cases", []):
            yield from _own_statements(case.body)


def _combined(kinds: list[Kind]) -> Kind:
    known = set(kinds)
    if len(known) == 1:
        return known.pop()
    return None


def _top(module: str) -> str:
    return module.split(".")[0]


def _dotted(node: ast.expr) -> str:
    return ast.unparse(node)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_neutral(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in NEUTRAL_MODULES)


@functools.cache
def _resolve(dotted: str) -> object:
    """The object a dotted path names (a module, or a module's attribute), None if none."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception:  # a module that fails to import says nothing
            return None
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj
    return None


def _not_public(module: str, name: str) -> str | None:
    """Why `name` is not public API of `module` (None when it is, or cannot be told).

    The standard library's public API is what typeshed's stub of the module declares (the stubs
    mypy ships), less what it marks `# undocumented`; the HTTP stack's is `__all__`, and for a
    module without one, every name but objects of a private module's. Other packages are held
    to their underscore names only.
    """
    if name.startswith("__") or (module, name) in DOCUMENTED:
        return None
    owner = _resolve(module)
    if not isinstance(owner, types.ModuleType) or _is_submodule(module, name):
        return None
    top = _top(module)
    if top in sys.stdlib_module_names:
        stub = _stub(module)
        if stub is not None:
            declared, undocumented = stub
            if name in undocumented:
                return f"typeshed marks {module}.{name} as undocumented"
            if name not in declared:
                return (
                    f"{module}.{name} is not {module}'s public API (typeshed does not declare it)"
                )
            return None
    elif top not in HTTP_STACK:
        return None
    exported = getattr(owner, "__all__", None)
    if exported is not None:
        return None if name in exported else f"{module}.__all__ does not list {name}"
    obj = getattr(owner, name, None)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        home = getattr(obj, "__module__", None) or ""
        if home != module and any(is_private(part) for part in home.split(".")):
            return f"{module}.{name} is {home}'s (a private module's), not {module}'s own"
    return None


def _is_submodule(module: str, name: str) -> bool:
    try:
        return importlib.util.find_spec(f"{module}.{name}") is not None
    except (ImportError, ValueError):
        return False


def typeshed_stdlib() -> Path | None:
    spec = importlib.util.find_spec("mypy")
    if spec is None or spec.origin is None:
        return None
    stubs = Path(spec.origin).parent / "typeshed" / "stdlib"
    return stubs if stubs.is_dir() else None


@functools.cache
def _stub(module: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the names typeshed's stub of `module` declares, those it marks `# undocumented`)."""
    stubs = typeshed_stdlib()
    if stubs is None:
        return None
    base = stubs.joinpath(*module.split("."))
    for path in (base.with_suffix(".pyi"), base / "__init__.pyi"):
        if path.is_file():
            break
    else:
        return None
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    declared: set[str] = set()
    undocumented: set[str] = set()
    package = module if path.name == "__init__.pyi" else module.rpartition(".")[0]
    for stmt in _own_statements(ast.parse(text).body):
        names: list[str] = []
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [stmt.name]
            last = stmt.lineno if isinstance(stmt, ast.ClassDef) else stmt.body[0].lineno
        else:
            last = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if "__all__" in names and stmt.value is not None:
                declared.update(
                    c.value
                    for c in ast.walk(stmt.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*" and isinstance(stmt, ast.ImportFrom):
                    source = stmt.module or ""
                    if stmt.level:
                        parts = package.split(".")
                        parent = ".".join(parts[: len(parts) - stmt.level + 1])
                        source = f"{parent}.{source}" if source else parent
                    star = _stub(source)
                    if star is not None:
                        declared.update(star[0])
                elif alias.asname == alias.name.split(".")[-1]:  # a stub's explicit re-export
                    names.append(alias.asname)
        declared.update(names)
        if any("# undocumented" in line for line in lines[stmt.lineno - 1 : last]):
            undocumented.update(names)
    return frozenset(declared), frozenset(undocumented - {"__all__"})


# -- the whole overlay --------------------------------------------------------------------------


def _sources(base: Path) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted(base.rglob("*.py"))
    ]


def attribute_annotations(sources: Iterable[tuple[str, str]]) -> dict[str, list[ast.expr]]:
    """attribute -> the annotations the SDK's classes give it (`_root: StreamkapClient`)."""
    found: dict[str, list[ast.expr]] = {}
    for _, text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                        found.setdefault(stmt.target.id, []).append(stmt.annotation)
    return found


def imported_packages(sources: Iterable[tuple[str, str]]) -> set[str]:
    """The top-level packages the sources import (the SDK's own aside)."""
    tops: set[str] = set()
    for _, text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                tops.update(_top(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(_top(node.module))
    return tops - OWN_PACKAGES - {"__future__"}


@functools.cache
def overlay_findings() -> tuple[Finding, ...]:
    overlay = _sources(OVERLAY)
    own = overlay + _sources(GENERATED)
    own_names = own_defined(own)
    dep_names = dependency_defined(imported_packages(overlay) | set(HTTP_STACK))
    hints = attribute_annotations(own)
    findings: list[Finding] = []
    for path, text in overlay:
        findings += ModuleScan(text, path, own_names, dep_names, hints).run()
    return tuple(findings)


def test_the_overlay_uses_only_public_apis_of_its_dependencies() -> None:
    found = [f for f in overlay_findings() if f.key not in REVIEWED and f.key not in KNOWN]
    assert not found, "dependency internals used by the SDK:\n" + "\n".join(map(str, found))


def test_every_listed_exception_is_still_found() -> None:
    found = {f.key for f in overlay_findings()}
    stale = sorted((set(REVIEWED) | set(KNOWN)) - found)
    assert not stale, f"no longer found (remove them from REVIEWED / KNOWN): {stale}"


def test_the_scan_covers_every_module_of_the_overlay() -> None:
    scanned = {path for path, _ in _sources(OVERLAY)}
    on_disk = {str(p.relative_to(ROOT)) for p in OVERLAY.rglob("*.py")}
    assert scanned == on_disk and len(scanned) >= 20
    # what the overlay imports, the HTTP stack among it, is where private names are looked for
    assert {"httpx", "aiohttp", "httpx_aiohttp", "json"} <= imported_packages(_sources(OVERLAY))
    assert "_request" in dependency_defined(["httpx"])["httpx"]


# -- the scan itself: what it must flag, what it must let through -------------------------------

_OWN_NAMES: Final = frozenset({"_loops", "_request", "_resume", "_sleep"})
_DEP_NAMES: Final = {"httpx": frozenset({"_request", "_transport"})}


def scan(code: str) -> list[str]:
    text = textwrap.dedent(code).strip() + "\n"
    tree_hints = attribute_annotations([("m.py", text)])
    scanned = ModuleScan(text, "overlays/streamkap_sdk/m.py", _OWN_NAMES, _DEP_NAMES, tree_hints)
    return [f"{f.line}: {f.what}" for f in scanned.run()]


FLAGGED = {
    "private module": ("from httpx._models import Response", "1: import of httpx._models"),
    "private submodule import": ("import httpcore._async", "1: import of httpcore._async"),
    "private name": ("from httpx import _utils", "1: from httpx import _utils"),
    "aiohttp private name": (
        "from aiohttp.client_reqrep import _merge_ssl_params",
        "1: from aiohttp.client_reqrep import _merge_ssl_params",
    ),
    "C accelerator under a public name": (
        "from json.encoder import c_make_encoder",
        "1: from json.encoder import c_make_encoder",
    ),
    "an HTTP-stack name outside __all__": (
        "from aiohttp.connector import HTTPStatus",
        "1: from aiohttp.connector import HTTPStatus",
    ),
    "a standard-library name typeshed does not declare": (
        "from urllib.request import proxy_bypass_environment",
        "1: from urllib.request import proxy_bypass_environment",
    ),
    "attribute chain outside __all__": (
        "import urllib.request\nurllib.request.proxy_bypass_environment('h', {})",
        "2: urllib.request.proxy_bypass_environment",
    ),
    "stdlib private attribute": ("import sys\nsys._getframe()", "2: sys._getframe"),
    "stdlib private class": (
        "import argparse\ndef f(g: argparse._ArgumentGroup) -> None: ...",
        "2: argparse._ArgumentGroup",
    ),
    "annotated dependency object": (
        "import httpx\ndef f(exc: httpx.TransportError):\n    return exc._request",
        "3: exc._request",
    ),
    "isinstance in force": (
        """
        import httpx
        def f(outcome: object):
            if isinstance(outcome, httpx.TransportError):
                return outcome._request
        """,
        "4: outcome._request",
    ),
    "isinstance after an early return": (
        """
        import httpx
        def f(response: object):
            if not isinstance(response, httpx.Response):
                return None
            return response._request
        """,
        "5: response._request",
    ),
    "a dependency's object from a call": (
        "import httpx\nhttp = httpx.Client()\nhttp._transport = None",
        "3: http._transport",
    ),
    "an attribute the SDK never defines": (
        "def f(response):\n    return response._content",
        "2: response._content",
    ),
    "getattr with a private name": (
        "def f(client):\n    return getattr(client, '_transport_for_url')",
        "2: client._transport_for_url",
    ),
    "an ambiguous name on an unknown object": (
        "def f(thing):\n    return thing._request",
        "2: thing._request",
    ),
    "deferred import": ("def f():\n    import httpx._config", "2: import of httpx._config"),
}


@pytest.mark.parametrize("case", list(FLAGGED))
def test_the_scan_flags(case: str) -> None:
    code, expected = FLAGGED[case]
    assert expected in scan(code)


ALLOWED = {
    "self and cls": "class C:\n    def f(self):\n        return self._x, type(self)._y\n",
    "super": "class C(B):\n    def f(self):\n        super()._after_fork()\n",
    "an SDK module": "from . import _decode\n_decode._gc_paused._resume\n",
    "an SDK module, absolute": "import streamkap_sdk._client as c\nc._LIVE\n",
    "an SDK class": "from ._export import MetricRecord\nMetricRecord._fields\n",
    "an SDK object at module level": "class P: ...\n_p = P()\ndef f():\n    return _p._resume\n",
    "a copy of self": (
        "import copy\nclass C:\n    def f(self):\n        c = copy.copy(self)\n"
        "        c._request = None\n"
    ),
    "an attribute the SDK annotates with its type": (
        "class C:\n    _root: C\n    def f(self):\n        root = self._root\n"
        "        return root._request\n"
    ),
    "an annotated SDK parameter": "class C: ...\ndef f(c: C):\n    return c._request\n",
    "an SDK-only name on an unknown object": "def f(root):\n    return root._loops\n",
    "a documented underscore name": "import os\nos._exit(0)\n",
    "dunders": "import httpx\nhttpx.Client.__init__\n",
    "public names": "import json\nfrom json import JSONDecodeError\njson.dumps({})\n",
    "from __future__": "from __future__ import annotations\n",
    "relative imports": "from ._decode import _GCPause\n",
}


@pytest.mark.parametrize("case", list(ALLOWED))
def test_the_scan_allows(case: str) -> None:
    assert scan(ALLOWED[case]) == []


if __name__ == "__main__":  # python tests/test_public_apis_only.py: the findings, one a line
    for finding in overlay_findings():
        note = (
            " (reviewed)" if finding.key in REVIEWED else " (known)" if finding.key in KNOWN else ""
        )
        print(f"{finding}{note}")
    sys.exit(0)
