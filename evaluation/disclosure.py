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
        self._known: dict[frozenset, int] = {}

    def count(self, keys: Iterable[Hashable]) -> int:
        keys = frozenset(keys)
        if keys not in self._known:
            by_domain: dict[Hashable, set] = defaultdict(set)
            for key in keys:
                part = self.parts.get(key)
                if part is not None:
                    by_domain[part.domain].update(part.tokens)
            self._known[keys] = max((len(t) for t in by_domain.values()), default=0)
        return self._known[keys]


class _Classes:
    """Parts grouped by their pattern (the shown figures that include them, with coefficients),
    kept up to date as figures are hidden one by one."""

    def __init__(self, figures: list[Figure], people: People):
        self.people = people
        self.pattern: dict[Hashable, frozenset] = {}
        entries: dict[Hashable, set] = defaultdict(set)
        for index, figure in enumerate(figures):
            if figure.suppressed:
                continue
            for key, coefficient in figure.parts.items():
                if coefficient:
                    entries[key].add((index, coefficient))
        self.members: dict[frozenset, set] = defaultdict(set)
        for key, pattern in entries.items():
            self.pattern[key] = frozenset(pattern)
            self.members[self.pattern[key]].add(key)
        self.small: set[frozenset] = set()
        for pattern in list(self.members):
            self._check(pattern)

    def _check(self, pattern: frozenset) -> None:
        keys = self.members.get(pattern)
        if pattern and keys and 0 < self.people.count(keys) < K:
            self.small.add(pattern)
        else:
            self.small.discard(pattern)

    def hide(self, index: int, figure: Figure) -> None:
        touched = set()
        for key, coefficient in figure.parts.items():
            old = self.pattern.get(key)
            if old is None or (index, coefficient) not in old:
                continue
            new = old - {(index, coefficient)}
            self.members[old].discard(key)
            if not self.members[old]:
                del self.members[old]
            self.members[new].add(key)
            self.pattern[key] = new
            touched |= {old, new}
        for pattern in touched:
            self._check(pattern)

    def after_hiding(self, index: int, pattern: frozenset) -> int | None:
        """People in the class of ``pattern`` once figure ``index`` is hidden; None if the
        class then touches no shown figure (it is out of sight)."""
        merged = set(self.members[pattern])
        inside = {e for e in pattern if e[0] == index}
        if inside:
            rest = pattern - inside
            if not rest:
                return None
            merged |= self.members.get(rest, set())
        else:
            for other, keys in self.members.items():
                if other != pattern and frozenset(e for e in other if e[0] != index) == pattern:
                    merged |= keys
        return self.people.count(merged)


def _settle(figures: list[Figure], movable: set[int], people: People) -> None:
    classes = _Classes(figures, people)
    cost = {}

    def figure_cost(index: int) -> tuple:
        if index not in cost:
            cost[index] = (people.count(figures[index].parts), repr(figures[index].key))
        return cost[index]

    while classes.small:
        # Ties are broken by what the parts are, never by list positions, so the same data
        # always gives the same decisions.
        pattern = min(
            classes.small,
            key=lambda p: (
                people.count(classes.members[p]),
                sorted(repr(k) for k in classes.members[p]),
            ),
        )
        inside = {i for i, _c in pattern}
        # Figures that split parts off this class: hiding them (one by one) merges those
        # parts back in.
        splitting = {
            i
            for other in classes.members
            if other != pattern and pattern < other
            for i, _c in other
            if i not in inside
        }
        candidates = sorted((inside | splitting) & movable)
        if not candidates:  # cannot happen: the earlier epochs were safe on their own
            raise RuntimeError("disclosure control could not protect a class")
        fixing = [
            i
            for i in candidates
            if (after := classes.after_hiding(i, pattern)) is None or after >= K
        ]
        # The cheapest figure that fixes it; if none does alone, the cheapest that touches it.
        index = min(fixing or candidates, key=figure_cost)
        figures[index].hide(PROTECTS_OTHERS)
        classes.hide(index, figures[index])
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
