"""Pairwise judging: Bradley–Terry strengths from "A is better than B" votes, and which pair to show next.

P(i beats j) = p_i / (p_i + p_j). Strengths are fitted with Hunter's MM iteration
p_i ← W_i / Σ_j n_ij / (p_i + p_j). A small ``prior`` (a virtual half win and half loss against every
other item) keeps an unbeaten or winless item finite; ``prior=0`` gives the plain maximum likelihood.
"""
from __future__ import annotations

import itertools
import math
import random
from collections import Counter


def bradley_terry(items: list[int], wins: list[tuple[int, int]], prior: float = 0.5,
                  iterations: int = 500, tolerance: float = 1e-10) -> dict[int, float]:
    """``wins``: (winner, loser) pairs. Returns strengths normalised to a geometric mean of 1."""
    if not items:
        return {}
    won = Counter(w for w, _ in wins)
    games: Counter = Counter()
    for winner, loser in wins:
        games[frozenset((winner, loser))] += 1
    strength = {i: 1.0 for i in items}
    for _ in range(iterations):
        updated = {}
        for i in items:
            numerator = won[i] + prior * (len(items) - 1)
            denominator = 0.0
            for j in items:
                if j == i:
                    continue
                n_ij = games[frozenset((i, j))] + 2 * prior
                if n_ij:
                    denominator += n_ij / (strength[i] + strength[j])
            updated[i] = numerator / denominator if denominator and numerator else 1e-9
        scale = math.exp(sum(math.log(v) for v in updated.values()) / len(updated))
        updated = {i: v / scale for i, v in updated.items()}
        change = max(abs(updated[i] - strength[i]) for i in items)
        strength = updated
        if change < tolerance:
            break
    return strength


def ranking(items: list[int], wins: list[tuple[int, int]], prior: float = 0.5) -> list[tuple[int, float]]:
    strengths = bradley_terry(items, wins, prior)
    return sorted(strengths.items(), key=lambda pair: (-pair[1], pair[0]))


def next_pair(items: list[int], votes: list[tuple[int, int]], judged_by_me: set[tuple[int, int]],
              rng: random.Random | None = None) -> tuple[int, int] | None:
    """The least-compared pair this judge has not judged yet (ties broken at random); None when done."""
    compared = Counter(votes)
    open_pairs = [pair for pair in itertools.combinations(sorted(items), 2) if pair not in judged_by_me]
    if not open_pairs:
        return None
    fewest = min(compared[p] for p in open_pairs)
    return (rng or random).choice([p for p in open_pairs if compared[p] == fewest])
