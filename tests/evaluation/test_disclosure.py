"""Disclosure control, checked independently of how it decides.

The check is linear algebra: a shown figure is a row over the parts; anybody can add and
subtract rows. A sum over a set of parts S can be worked out from the rows exactly when some
combination of rows is non-zero only inside S, that is when rank(A) > rank(A without the columns
of S). For every set of parts behind fewer than 5 real people, that must not happen.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.disclosure import PROTECTS_OTHERS, TOO_FEW, Figure, K, Part, People, protect


def _matrix(figures: list[Figure], keys: list) -> np.ndarray:
    shown = [f for f in figures if not f.suppressed]
    matrix = np.zeros((max(len(shown), 1), len(keys)))
    for r, figure in enumerate(shown):
        for c, key in enumerate(keys):
            matrix[r, c] = figure.parts.get(key, 0)
    return matrix


def reachable_small_sets(figures, people_of: dict) -> list[tuple]:
    """Every set of parts with 1..K-1 real people whose sum the shown figures give away. (A part
    with nobody in it holds no data, so it is left out.)"""
    keys = sorted(k for k, people in people_of.items() if people)
    matrix = _matrix(figures, keys)
    full = np.linalg.matrix_rank(matrix)
    leaks = []
    for size in range(1, len(keys) + 1):
        for chosen in combinations(range(len(keys)), size):
            people = set().union(*(people_of[keys[i]] for i in chosen))
            if not 0 < len(people) < K:
                continue
            rest = [i for i in range(len(keys)) if i not in chosen]
            without = np.linalg.matrix_rank(matrix[:, rest]) if rest else 0
            if without < full:
                leaks.append(tuple(keys[i] for i in chosen))
    return leaks


@st.composite
def worlds(draw):
    """Up to 7 parts, each some of 12 real people seen through a domain (a group), where the
    same person has a different token; figures are random sums and differences of parts."""
    n_parts = draw(st.integers(2, 7))
    people_of, parts = {}, []
    for key in range(n_parts):
        domain = draw(st.integers(0, 2))
        real = frozenset(draw(st.sets(st.integers(0, 11), max_size=9)))
        people_of[key] = real
        parts.append(Part(key, frozenset((domain, p) for p in real), domain=domain))
    figures = []
    for index in range(draw(st.integers(1, 8))):
        chosen = draw(st.sets(st.integers(0, n_parts - 1), min_size=1))
        coefficients = {k: draw(st.sampled_from([1, 1, -1])) for k in chosen}
        figures.append(Figure(key=index, parts=coefficients, epoch=draw(st.integers(0, 2))))
    return people_of, parts, figures


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_nothing_shown_or_worked_out_comes_from_fewer_than_five_people(world):
    people_of, parts, figures = world
    protect(figures, parts)
    assert reachable_small_sets(figures, people_of) == []
    for figure in figures:
        if not figure.suppressed:
            real = set().union(*(people_of[k] for k in figure.parts))
            assert len(real) >= K


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_what_was_shown_in_an_earlier_period_stays_as_it_was(world):
    """Run the control as it would have run at the end of each period: a figure shown then is
    still shown later, a figure hidden then is still hidden, and everything ever shown together
    is safe."""
    people_of, parts, figures = world
    final = protect([_copy(f) for f in figures], parts)
    decided = {f.key: f.suppressed for f in final}
    for epoch in sorted({f.epoch for f in figures}):
        then = protect([_copy(f) for f in figures if f.epoch <= epoch], parts)
        for figure in then:
            assert figure.suppressed == decided[figure.key]
    assert reachable_small_sets(final, people_of) == []


def _copy(figure: Figure) -> Figure:
    return Figure(key=figure.key, parts=dict(figure.parts), epoch=figure.epoch)


def _groups_and_total(sizes: list[int]):
    """Groups with distinct people and the host's total over them: the everyday case."""
    parts, figures, start = [], [], 0
    for index, size in enumerate(sizes):
        parts.append(Part(index, frozenset(range(start, start + size))))
        figures.append(Figure(key=("group", index), parts={index: 1}))
        start += size
    figures.append(Figure(key=("all",), parts=dict.fromkeys(range(len(sizes)), 1)))
    return parts, figures


def test_a_small_group_is_hidden_and_so_is_the_next_smallest_so_the_total_cannot_reveal_it():
    parts, figures = _groups_and_total([3, 6, 9, 12])
    protect(figures, parts)
    shown = {f.key: not f.suppressed for f in figures}
    assert shown == {
        ("group", 0): False,
        ("group", 1): False,
        ("group", 2): True,
        ("group", 3): True,
        ("all",): True,
    }
    assert figures[0].reason == str(TOO_FEW)
    assert figures[1].reason == str(PROTECTS_OTHERS)


def test_two_small_groups_hide_each_other_and_the_total_stays():
    parts, figures = _groups_and_total([3, 3, 9])
    protect(figures, parts)
    assert [f.suppressed for f in figures] == [True, True, False, False]


def test_five_people_are_enough_and_four_are_not():
    parts, figures = _groups_and_total([5])
    protect(figures, parts)
    assert [f.suppressed for f in figures] == [False, False]
    parts, figures = _groups_and_total([4])
    protect(figures, parts)
    assert [f.suppressed for f in figures] == [True, True]
    assert figures[1].reason == str(TOO_FEW)


def test_people_in_two_groups_are_never_counted_twice():
    """The same three people answer in two groups (different pseudonyms): together they are
    still three people, so the total over the two groups is hidden."""
    parts = [
        Part("a", frozenset({"a1", "a2", "a3"}), domain="A"),
        Part("b", frozenset({"b1", "b2", "b3"}), domain="B"),
    ]
    assert People(parts).count(["a", "b"]) == 3
    figures = [Figure(key="total", parts={"a": 1, "b": 1})]
    protect(figures, parts)
    assert figures[0].suppressed


def test_a_change_figure_cannot_be_played_off_against_the_two_means():
    """Baseline of 6, follow-up of 6, 5 paired: the two means and the change would give away
    the sum of the one person who only answered the baseline and the one who only followed up."""
    parts = [
        Part("base-paired", frozenset(range(5)), domain="g"),
        Part("base-alone", frozenset({5}), domain="g"),
        Part("follow-paired", frozenset(range(5)), domain="g"),
        Part("follow-alone", frozenset({6}), domain="g"),
    ]
    figures = [
        Figure(key="baseline", parts={"base-paired": 1, "base-alone": 1}, epoch=1),
        Figure(key="follow-up", parts={"follow-paired": 1, "follow-alone": 1}, epoch=2),
        Figure(key="change", parts={"follow-paired": 1, "base-paired": -1}, epoch=2),
    ]
    people_of = {
        "base-paired": set(range(5)),
        "base-alone": {5},
        "follow-paired": set(range(5)),
        "follow-alone": {6},
    }
    protect(figures, parts)
    assert not figures[0].suppressed  # shown first, and stays shown
    assert [f.suppressed for f in figures[1:]].count(True) >= 1
    assert reachable_small_sets(figures, people_of) == []


@settings(max_examples=150, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_the_same_figures_give_the_same_decisions_in_any_order(world, random):
    """Pages list figures in different orders; what is hidden must not depend on it."""
    _people_of, parts, figures = world
    first = {f.key: f.suppressed for f in protect([_copy(f) for f in figures], parts)}
    shuffled = [_copy(f) for f in figures]
    random.shuffle(shuffled)
    second = {f.key: f.suppressed for f in protect(shuffled, parts)}
    assert first == second
