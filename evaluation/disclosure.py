"""Disclosure control: the one function between every aggregate and every screen, CSV or PDF.

No figure (count, mean, percentage, chart point, change, comment) may come from fewer than
K = 5 people, directly or by subtraction or any other sum or difference of figures a person can
see.

**The model.** Data is cut into *parts* (for example "group 7, questionnaires that closed in
2026 Q2"), each with the people behind it. Every figure we might show is a sum over some parts,
each part counted with a coefficient (+1 for a total or mean, -1 for the baseline side of a
change). Whoever sees a set of figures can add and subtract them, which gives them exactly the
linear combinations of those figures.

**The rule.** Group the parts by their *pattern*: which shown figures include them and with what
coefficient. Any combination of shown figures treats all parts of one pattern alike, so what it
reveals is a sum over whole pattern classes. If every class that some shown figure touches has at
least K people, every figure anybody can work out comes from at least K people. ``protect``
enforces exactly that:

1. **Primary**: a figure from fewer than K people is hidden ("fewer than 5 responses").
2. **Secondary**: while some class has 1 to K-1 people, hide the figure that merges that class
   into a bigger one (or drops it from every shown figure) at the least cost; the reason is
   "hidden so that a smaller figure cannot be worked out from it".

**Time.** Figures only ever cover finished periods, and the classes are settled period by
period (``Figure.epoch``): figures of a later period can hide themselves but never un-hide or
re-hide an earlier one, so what somebody saw last quarter still combines safely with what they
see now.

**Counting people.** Each part carries tokens of the people behind it. Where tokens are only
comparable inside a *domain* (questionnaire pseudonyms are per group plan), a class that spans
several domains is counted as its largest domain alone: never more people than there really are.

``tests/evaluation/test_disclosure.py`` checks the result independently, by linear algebra: no
set of parts with fewer than K people is reachable from the shown figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

K = 5

TOO_FEW = _("fewer than 5 responses")
PROTECTS_OTHERS = _("hidden so that a smaller figure cannot be worked out from it")


@dataclass
class Part:
    key: Hashable
    tokens: frozenset
    domain: Hashable = None


@dataclass
class Figure:
    """A figure that may be shown: a sum over parts (coefficient per part)."""

    key: Hashable
    parts: dict[Hashable, int]
    epoch: Hashable = 0
    value: object = None
    people: int = 0  # at least this many people are behind the figure
    suppressed: bool = False
    reason: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def shown(self):
        return None if self.suppressed else self.value

    def hide(self, reason) -> None:
        if not self.suppressed:
            self.suppressed, self.reason = True, str(reason)


class People:
    """Counts the people behind a set of parts, never more than there are."""

    def __init__(self, parts: Iterable[Part]):
        self.parts = {p.key: p for p in parts}

    def count(self, keys: Iterable[Hashable]) -> int:
        by_domain: dict[Hashable, set] = defaultdict(set)
        for key in keys:
            part = self.parts.get(key)
            if part is not None:
                by_domain[part.domain].update(part.tokens)
        return max((len(tokens) for tokens in by_domain.values()), default=0)


def _classes(figures: list[Figure]) -> dict[tuple, list[Hashable]]:
    """Parts grouped by their pattern over the shown figures (parts in no figure are left out)."""
    pattern: dict[Hashable, list] = defaultdict(list)
    for index, figure in enumerate(figures):
        if figure.suppressed:
            continue
        for key, coefficient in figure.parts.items():
            if coefficient:
                pattern[key].append((index, coefficient))
    classes: dict[tuple, list[Hashable]] = defaultdict(list)
    for key, entries in pattern.items():
        classes[tuple(entries)].append(key)
    return classes


def _after_hiding(
    figure_index: int, pattern: tuple, classes: dict[tuple, list], people: People
) -> int | None:
    """People in the class of ``pattern`` once figure ``figure_index`` is hidden; None if the
    class then touches no shown figure (it is out of sight)."""
    merged = list(classes[pattern])
    if any(i == figure_index for i, _c in pattern):
        rest = tuple(e for e in pattern if e[0] != figure_index)
        if not rest:
            return None
        merged += classes.get(rest, [])
    else:
        for other, keys in classes.items():
            if tuple(e for e in other if e[0] != figure_index) == pattern and other != pattern:
                merged += keys
    return people.count(merged)


def _settle(figures: list[Figure], movable: set[int], people: People) -> None:
    while True:
        classes = _classes(figures)
        small = [
            (count, sorted(repr(k) for k in keys), pattern)
            for pattern, keys in classes.items()
            if 0 < (count := people.count(keys)) < K
        ]
        if not small:
            return
        # Ties are broken by what the parts are, never by list positions, so the same data
        # always gives the same decisions.
        *_order, pattern = min(small, key=lambda item: (item[0], item[1]))
        inside = {i for i, _c in pattern}
        # Figures that split parts off this class: hiding them (one by one) merges those
        # parts back in.
        splitting = {
            i
            for other in classes
            if other != pattern and set(pattern) <= set(other)
            for i, _c in other
            if i not in inside
        }
        candidates = sorted((inside | splitting) & movable)
        if not candidates:  # cannot happen: the earlier epochs were safe on their own
            raise RuntimeError("disclosure control could not protect a class")
        best = None
        for index in candidates:
            after = _after_hiding(index, pattern, classes, people)
            if after is None or after >= K:
                cost = (people.count(figures[index].parts), repr(figures[index].key))
                if best is None or cost < best[0]:
                    best = (cost, index)
        if best is None:
            # No single figure fixes it: hide the smallest one that touches the class and go on.
            index = min(
                candidates,
                key=lambda i: (people.count(figures[i].parts), repr(figures[i].key)),
            )
        else:
            index = best[1]
        figures[index].hide(PROTECTS_OTHERS)
        movable.discard(index)


def protect(figures: list[Figure], parts: Iterable[Part]) -> list[Figure]:
    """Decide, in place, which figures may be shown; returns them. See the module docstring."""
    people = People(parts)
    for figure in figures:
        figure.people = people.count(k for k, c in figure.parts.items() if c)
        if figure.people < K:
            figure.hide(TOO_FEW)
    # Figures that share no part cannot be combined into anything smaller, so each connected
    # set of figures is settled on its own (the same result, much less work).
    for component in _components(figures):
        for epoch in sorted({f.epoch for f in component}):
            movable = {i for i, f in enumerate(component) if f.epoch == epoch and not f.suppressed}
            visible = [f if f.epoch <= epoch else _hidden_copy(f) for f in component]
            _settle(visible, movable, people)
    return figures


def _components(figures: list[Figure]) -> list[list[Figure]]:
    parent = list(range(len(figures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Hashable, int] = {}
    for index, figure in enumerate(figures):
        for key in figure.parts:
            if key in owner:
                parent[root(index)] = root(owner[key])
            else:
                owner[key] = index
    groups: dict[int, list[Figure]] = defaultdict(list)
    for index, figure in enumerate(figures):
        groups[root(index)].append(figure)
    return list(groups.values())


def _hidden_copy(figure: Figure) -> Figure:
    return Figure(key=figure.key, parts={}, epoch=figure.epoch, suppressed=True)
