"""Rubric scores and their calibration (DESIGN §10).

Reviewers differ in severity, so each raw total is turned into a z-score against that reviewer's own scores
in the campaign: z = (x - mean_r) / sd_r. An initiative's normalised score is the mean of its z-scores; the
raw mean is kept beside it. When reviewers disagree by more than a margin, a third review is asked for.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Float, Subquery, case, cast, func, or_, select

from ..extensions import db
from ..models import Initiative, Score

DEFAULT_RUBRIC = (
    ("novelty", "Tính mới, sáng tạo", 30),
    ("effectiveness", "Hiệu quả, lợi ích mang lại", 40),
    ("applicability", "Khả năng áp dụng, phạm vi ảnh hưởng", 30),
)
MIN_REVIEWERS = 2
SPREAD_MARGIN = 20


@dataclass(frozen=True)
class ReviewerStats:
    mean: float
    sd: float
    count: int

    @classmethod
    def from_sums(cls, count: int, total: float, total_of_squares: float) -> ReviewerStats:
        """From SQL aggregates (COUNT, SUM, SUM of squares): population standard deviation."""
        if count == 0:
            return cls(0.0, 0.0, 0)
        mean = total / count
        variance = max(0.0, total_of_squares / count - mean * mean)
        return cls(mean, math.sqrt(variance), count)

    def z(self, value: float) -> float:
        """0 when the reviewer's scores carry no spread yet (one score, or all equal)."""
        if self.count < 2 or self.sd < 1e-9:
            return 0.0
        return (value - self.mean) / self.sd


@dataclass(frozen=True)
class Aggregate:
    count: int
    raw_mean: float | None
    z_mean: float | None
    spread: int
    needs_third_review: bool

    @property
    def complete(self) -> bool:
        return self.count >= MIN_REVIEWERS and not self.needs_third_review


def aggregate(scores: list[tuple[int, int]], stats: dict[int, ReviewerStats],
              margin: int = SPREAD_MARGIN) -> Aggregate:
    """``scores``: (reviewer id, raw total) pairs of one initiative."""
    if not scores:
        return Aggregate(0, None, None, 0, False)
    totals = [total for _, total in scores]
    spread = max(totals) - min(totals)
    z_values = [stats[reviewer].z(total) if reviewer in stats else 0.0 for reviewer, total in scores]
    return Aggregate(
        count=len(scores),
        raw_mean=sum(totals) / len(totals),
        z_mean=sum(z_values) / len(z_values),
        spread=spread,
        needs_third_review=len(scores) == MIN_REVIEWERS and spread > margin,
    )


# --- the scores stored for a campaign --------------------------------------------------------------------

def reviewer_stats(campaign_id: int) -> dict[int, ReviewerStats]:
    rows = db.session.execute(
        select(Score.reviewer_id, func.count(), func.sum(Score.total), func.sum(Score.total * Score.total))
        .join(Initiative, Initiative.id == Score.initiative_id).where(Initiative.campaign_id == campaign_id)
        .group_by(Score.reviewer_id))
    return {reviewer: ReviewerStats.from_sums(n, float(total), float(squares))
            for reviewer, n, total, squares in rows}


def scores_of(initiative_ids: list[int]) -> dict[int, list[Score]]:
    result: dict[int, list[Score]] = {i: [] for i in initiative_ids}
    if initiative_ids:
        for score in db.session.scalars(select(Score).where(Score.initiative_id.in_(initiative_ids))
                                        .order_by(Score.id)):
            result[score.initiative_id].append(score)
    return result


def aggregates(campaign_id: int, initiative_ids: list[int]) -> dict[int, Aggregate]:
    stats = reviewer_stats(campaign_id)
    return {initiative_id: aggregate([(s.reviewer_id, s.total) for s in scores], stats)
            for initiative_id, scores in scores_of(initiative_ids).items()}


def aggregates_subquery(campaign_id: int) -> Subquery:
    """``aggregates`` in SQL, one row per scored initiative of the campaign: ``initiative_id``, ``reviews``,
    ``raw_mean``, ``z_mean``, ``spread``. Lists can then rank the whole campaign by it in the database (ORDER BY,
    LIMIT) instead of loading every initiative. The same formulas as ``ReviewerStats`` and ``aggregate``: population
    standard deviation, and z = 0 for a reviewer with fewer than two scores or no spread (sd < 1e-9, i.e. a
    variance below 1e-18, tested before the square root is taken)."""
    total = cast(Score.total, Float)
    stats = (select(Score.reviewer_id.label("reviewer_id"), func.count().label("n"), func.avg(total).label("mean"),
                    (func.sum(total * total) / func.count() - func.avg(total) * func.avg(total)).label("variance"))
             .join(Initiative, Initiative.id == Score.initiative_id).where(Initiative.campaign_id == campaign_id)
             .group_by(Score.reviewer_id).subquery("reviewer_stats"))
    z = case((or_(stats.c.n < 2, stats.c.variance < 1e-18), 0.0),
             else_=(total - stats.c.mean) / func.sqrt(stats.c.variance))
    # Scores of other campaigns' initiatives by the same reviewers come out too, and never join the campaign's
    # list: reading the scores is cheaper than reading the campaign's initiatives to find them.
    return (select(Score.initiative_id.label("initiative_id"), func.count().label("reviews"),
                   func.avg(total).label("raw_mean"), func.avg(z).label("z_mean"),
                   (func.max(Score.total) - func.min(Score.total)).label("spread"))
            .join(stats, stats.c.reviewer_id == Score.reviewer_id)
            .group_by(Score.initiative_id).subquery("score_aggregates"))
