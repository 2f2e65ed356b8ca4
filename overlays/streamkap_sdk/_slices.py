"""A large JSON object read slice by slice, so that its decoding can pause between slices.

orjson and json hold the GIL for the whole of one parse (a 48 MB body is a quarter of a
second of a stalled event loop, however many threads there are), so a large body is cut into
slices of about `size` bytes at member boundaries of the objects that hold the bulk of it
(the members of each top-level member whose value is an object: for this API, the entity maps
keyed by id), each slice parsed on its own.

Where to cut is found by a cheap byte search: every `}`, optional whitespace, `,`, optional
whitespace, `"` is a candidate (the end of a member's object value and the start of the next
key), checked first by counting braces since the slice began, then for real by parsing the slice
on its own: `[{` + members + `}]`, at the depth it has in the document. JSON's grammar is
unambiguous, so if each slice of a member list parses on its own as a member list, the whole
list parses to their union in order (the same keys, last value wins, at the place the key first
appeared), and the document they came from parses to the same value as the slices do. A
candidate inside a string, or at another depth, does not parse as a member list on its own (or
does not balance), and is passed over. The `[{`...`}]` wrapper keeps each slice at its depth in
the document (nesting limits apply alike) and cannot be fooled by a slice that closes its object
early (that would make the array hold two values). What is around the slices is parsed and
checked the same way: the document's opening, each top-level key (none may appear twice), the
end of each object, a trailing comma (refused, as the whole parse would refuse it), what follows.

Whenever something does not fit (a top-level key twice, too many passed-over candidates, a
slice that orjson refuses, anything unusual), `Unsliceable` is raised and the caller parses the
whole body at once, exactly as before: the slices never decide what a body means, they only
ever agree with the whole parse or step aside. A single member larger than `size` is one slice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from typing import Any, Final

__all__ = ["Unsliceable", "events"]

_WS: Final = rb"[ \t\n\r]*"  # JSON whitespace (not \s: \x0b and \x0c are not JSON whitespace)
_STRING: Final = rb'"(?:[^"\\]|\\.)*"'
_OPEN: Final = re.compile(_WS + rb"\{")
_OBJECT_MEMBER: Final = re.compile(_WS + b"(" + _STRING + b")" + _WS + b":" + _WS + rb"\{", re.S)
_SCALAR: Final = rb"(?:null|true|false|-?[0-9][0-9.eE+-]*|" + _STRING + b")"
_SCALAR_MEMBER: Final = re.compile(
    _WS + b"(" + _STRING + _WS + b":" + _WS + _SCALAR + b")" + _WS + b",", re.S
)
_SPLIT: Final = re.compile(rb"\}" + _WS + b"," + _WS + b'"')
_WHITESPACE: Final = b" \t\n\r"
#: Candidates passed over (inside strings, at other depths) before giving up on one slice.
MAX_PASSED: Final = 64
#: A slice may grow to this many times `size` while looking for a place to end it.
MAX_GROWTH: Final = 16

Event = tuple[str, str, Any]  # ("slice", key, members) or ("member", key, value)


def _last_non_space(body: bytes, end: int) -> int:
    """The index of the last byte before `end` that is not JSON whitespace (-1: none)."""
    end -= 1
    while end >= 0 and body[end] in _WHITESPACE:
        end -= 1
    return end


class Unsliceable(Exception):
    """This body is to be parsed whole."""


def events(body: bytes, size: int, parse: Callable[[bytes | bytearray], Any]) -> Iterator[Event]:
    """The top-level object of `body`, in order, as

    - `("slice", key, members)`: the next members (a dict) of the object under top-level `key`;
    - `("member", key, value)`: a top-level member parsed whole;

    or Unsliceable (raised before or after some events: discard them then). `parse` reads one
    JSON text, raising ValueError (or RecursionError) for anything it does not accept.
    """
    return _Reader(body, size, parse).run()


class _Reader:
    def __init__(self, body: bytes, size: int, parse: Callable[[bytes | bytearray], Any]):
        self.body = body
        self.slice_bytes = size
        self.parse = parse
        # Split at the first candidate past the target without counting braces first, as
        # long as that works (it does for bodies whose only candidates past a member are its
        # end); after one miss, count first (a miss costs a parse, a count is cheaper).
        self.optimistic = True

    def _value(self, text: bytes | bytearray) -> Any:
        try:
            return self.parse(text)
        except (ValueError, RecursionError):
            raise Unsliceable from None

    def _members(self, start: int, end: int) -> dict[str, Any] | None:
        """`body[start:end]` parsed as a member list at depth 2, or None if it is not one."""
        buffer = bytearray(b"[{")
        buffer += memoryview(self.body)[start:end]
        buffer += b"}]"
        try:
            value = self.parse(buffer)
        except (ValueError, RecursionError):
            return None
        if type(value) is list and len(value) == 1 and type(value[0]) is dict:
            members: dict[str, Any] = value[0]
            return members
        return None  # it closed its object early: not a member list of one object

    def run(self) -> Generator[Event, None, None]:
        body = self.body
        opening = _OPEN.match(body)
        if opening is None:
            raise Unsliceable
        pos = opening.end()
        seen: set[str] = set()
        first = True
        while True:
            member = _OBJECT_MEMBER.match(body, pos)
            if member is None:
                scalar = _SCALAR_MEMBER.match(body, pos)
                if scalar is not None:
                    one = self._value(b"{" + scalar.group(1) + b"}")
                    if type(one) is not dict or len(one) != 1:
                        raise Unsliceable
                    ((key, value),) = one.items()
                    if key in seen:
                        raise Unsliceable
                    seen.add(key)
                    yield ("member", key, value)
                    pos, first = scalar.end(), False
                    continue
                rest = self._value(b"{" + body[pos:])  # the remaining members, and the end
                if type(rest) is not dict or (not rest and not first) or seen & rest.keys():
                    raise Unsliceable  # `,}` (a trailing comma), or a key seen before
                for key, value in rest.items():
                    yield ("member", key, value)
                return
            key = self._value(member.group(1))
            if type(key) is not str or key in seen:
                raise Unsliceable
            seen.add(key)
            after = yield from self._object(key, member.end())
            if after is None:
                return  # that object ended the document
            pos, first = after, False

    def _object(self, key: str, start: int) -> Generator[Event, None, int | None]:
        """The members of the object opened just before `start`, slice by slice; then the
        position after the comma that follows it, or None when it ends the document."""
        body, size = self.body, self.slice_bytes
        s = start  # where the current slice begins
        first = True  # no slice of this object yet
        passed = 0  # candidates passed over in this slice
        depth, counted = 0, s  # braces opened minus closed in body[s:counted] (a hint only:
        # a string may hold braces; the parse decides)
        search = s + size
        while True:
            if counted - s > max(MAX_GROWTH * size, 1 << 16) or passed > MAX_PASSED:
                raise Unsliceable
            candidate = _SPLIT.search(body, search) if search < len(body) else None
            if candidate is None:
                return (yield from self._last(key, s, first))
            brace = candidate.start()
            tried = False
            if self.optimistic:
                members = self._members(s, brace + 1)
                if members is not None:
                    yield ("slice", key, members)
                    s = body.index(b",", brace) + 1
                    first, passed, depth, counted, search = False, 0, 0, s, s + size
                    continue
                self.optimistic, tried = False, True
            depth += body.count(b"{", counted, brace + 1) - body.count(b"}", counted, brace + 1)
            counted = brace + 1
            if depth == 0 and not tried:  # looks like the end of one of this object's members
                members = self._members(s, brace + 1)
                if members is not None:
                    yield ("slice", key, members)
                    s = body.index(b",", brace) + 1
                    first, passed, depth, counted, search = False, 0, 0, s, s + size
                    continue
            if depth <= 0:  # the object may have ended before `brace` (and another begun)
                after = yield from self._end(key, s, brace, first)
                if after >= 0:
                    return after
            passed += 1  # inside a string, or deeper: look further
            search = candidate.end() - 1

    def _end(self, key: str, s: int, limit: int, first: bool) -> Generator[Event, None, int]:
        """If the object ends between `s` and `limit`: its last members, then the position
        after the comma that follows it; -1 when no candidate there closes it."""
        body = self.body
        depth, counted, tries = 0, s, 0
        for candidate in _SPLIT.finditer(body, s):
            brace = candidate.start()
            if brace > limit:
                break
            depth += body.count(b"{", counted, brace + 1) - body.count(b"}", counted, brace + 1)
            counted = brace + 1
            if depth > -1:
                continue  # a member of the object ends here, or something deeper
            members = self._members(s, brace)  # does this `}` close the object?
            if members is not None:
                if not members and not first:
                    raise Unsliceable  # `, }`: a trailing comma
                if members or first:  # an empty object is still there
                    yield ("slice", key, members)
                return body.index(b",", brace) + 1
            tries += 1
            if tries > MAX_PASSED:
                raise Unsliceable
        return -1

    def _last(self, key: str, s: int, first: bool) -> Generator[Event, None, int | None]:
        """No candidate after the slice's target: the object ends the document, or ends
        earlier with smaller members after it."""
        body = self.body
        after = yield from self._end(key, s, len(body), first)
        if after >= 0:
            return after
        close = _last_non_space(body, len(body))  # the document's `}`
        inner = _last_non_space(body, close)  # the object's `}`
        if inner < s or body[close] != ord("}") or body[inner] != ord("}"):
            raise Unsliceable
        members = self._members(s, inner)
        if members is None or (not members and not first):
            raise Unsliceable
        if members or first:
            yield ("slice", key, members)
        return None
