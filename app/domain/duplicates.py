"""Near-duplicate detection that scales: MinHash signatures, LSH bands in an indexed table.

At submit time an initiative's folded text is cut into word pairs (shingles), summarised by 64 MinHash values
and grouped into 16 bands of 4. Two texts with Jaccard similarity s share at least one band with probability
1 - (1 - s^4)^16: about 0.98 at s = 0.6 and 0.01 at s = 0.2. Candidates are found by an indexed IN look-up on
the band hashes, whatever the number of initiatives, then confirmed with the exact Jaccard similarity.
"""
from __future__ import annotations

import hashlib
import random
import struct

from sqlalchemy import delete, func, insert, select

from ..extensions import db
from ..models import DuplicateCandidate, Initiative, InitiativeBand
from .tallies import COUNTED_STATUSES
from .text import fold

PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
MIN_SIMILARITY = 0.5
MAX_CANDIDATES = 10
_PRIME = (1 << 61) - 1
_rng = random.Random(20220422)
_COEFFICIENTS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(PERMUTATIONS)]


def text_of(initiative: Initiative) -> str:
    return initiative.text_folded or fold(" ".join([initiative.title, initiative.current_situation,
                                                    initiative.solution]))


def shingles(folded: str) -> set[str]:
    words = folded.split()
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def _hash64(value: str) -> int:
    return struct.unpack("<Q", hashlib.blake2b(value.encode(), digest_size=8).digest())[0]


def signature(items: set[str]) -> list[int]:
    hashes = [_hash64(item) for item in items] or [0]
    return [min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFICIENTS]


def band_hashes(sig: list[int]) -> list[int]:
    """One signed 63-bit hash per band (fits BIGINT on both databases)."""
    result = []
    for band in range(BANDS):
        chunk = struct.pack(f"<B{ROWS}Q", band, *sig[band * ROWS:(band + 1) * ROWS])
        result.append(struct.unpack("<q", hashlib.blake2b(chunk, digest_size=8).digest())[0] >> 1)
    return result


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def candidates_for_text(folded: str, campaign_id: int, exclude_id: int | None = None,
                        limit: int = MAX_CANDIDATES, bands: list[int] | None = None) -> list[tuple[Initiative, float]]:
    """Initiatives of the campaign whose text is near ``folded``, most similar first (``bands``: its band hashes,
    when the caller has them already)."""
    own = shingles(folded)
    if not own:
        return []
    bands = bands or band_hashes(signature(own))
    hits = (select(InitiativeBand.initiative_id, func.count().label("shared"))
            .where(InitiativeBand.band_hash.in_(bands)))
    if exclude_id is not None:
        hits = hits.where(InitiativeBand.initiative_id != exclude_id)
    best = hits.group_by(InitiativeBand.initiative_id).order_by(func.count().desc()).limit(limit * 5).subquery()
    rows = db.session.scalars(select(Initiative).join(best, best.c.initiative_id == Initiative.id)
                              .where(Initiative.campaign_id == campaign_id, Initiative.status.in_(COUNTED_STATUSES)))
    scored = [(other, jaccard(own, shingles(text_of(other)))) for other in rows]
    scored = [(other, round(s, 3)) for other, s in scored if s >= MIN_SIMILARITY]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].id))[:limit]


def index(initiative: Initiative) -> list[DuplicateCandidate]:
    """Store the initiative's bands and its likely duplicates; called when it is (re)submitted."""
    folded = text_of(initiative)
    # "fetch": the session forgets exactly the rows deleted ("evaluate", the default, scans every object it holds).
    by_key = {"synchronize_session": "fetch"}
    db.session.execute(delete(InitiativeBand).where(InitiativeBand.initiative_id == initiative.id),
                       execution_options=by_key)
    db.session.execute(delete(DuplicateCandidate).where(DuplicateCandidate.initiative_id == initiative.id),
                       execution_options=by_key)
    bands = band_hashes(signature(shingles(folded)))
    found = candidates_for_text(folded, initiative.campaign_id, exclude_id=initiative.id, bands=bands)
    rows = [{"initiative_id": initiative.id, "band": band, "band_hash": value} for band, value in enumerate(bands)]
    db.session.execute(insert(InitiativeBand), rows)
    candidates = [DuplicateCandidate(initiative_id=initiative.id, candidate_id=other.id, similarity=similarity)
                  for other, similarity in found]
    db.session.add_all(candidates)
    return candidates


def likely_duplicates(initiative: Initiative) -> list[tuple[Initiative, float]]:
    """Both directions: those it resembles and those submitted later that resemble it."""
    rows = db.session.execute(
        select(DuplicateCandidate).where((DuplicateCandidate.initiative_id == initiative.id)
                                         | (DuplicateCandidate.candidate_id == initiative.id))).scalars()
    pairs = {}
    for row in rows:
        other = row.candidate if row.initiative_id == initiative.id else row.initiative
        pairs[other.id] = (other, row.similarity)
    return sorted(pairs.values(), key=lambda pair: (-pair[1], pair[0].id))
