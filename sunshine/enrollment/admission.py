"""Senior-high admission (ENR-2) as a pure function: plans and students in, placements
and the reasons behind each out. No database; the service, ``manage.py admission_run``
and the benchmark all call :func:`admit`.

The rules, in order:

1. **Quota seats (指标到校).** Each school's quota seats are divided among the junior
   schools in proportion to their applicants (students in the run), by the largest
   remainder: every junior school gets ⌊Q·nᵢ/N⌋, and the seats left go one each to the
   largest remainders (equal remainders: the junior school with more applicants, then
   the smaller code).
2. **Quota admission.** Within a junior school's share at a school, the students whose
   quota choice is that school and whose score reaches the floor (the school's line
   minus the LOCAL margin ``ENR-2-quota-floor-margin``) are taken by rank (score, then the
   tie-break subjects, see 4) until the share is used.
3. **General admission (parallel preference).** Unfilled quota seats return to the
   school's general seats. Students not admitted on quota are taken in rank order, each
   placed at the first listed school whose line they reach and which has a seat; one
   placement only.
4. **Ranks and ties.** Students are ranked by total score, then by the tie-break subjects
   in the bureau's order (LOCAL ``ENR-2-tiebreak``; the CSV's ``tie1``, ``tie2``, …). A
   student equal in all of these to the last one admitted at a full school is admitted
   too (all tied are admitted); the seats beyond the plan are that school's overflow.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

QUOTA = "quota"
GENERAL = "general"

# Why a choice did not place the student.
BELOW_LINE = "below_line"  # score under the school's line (general) or floor (quota)
FULL = "full"  # the seats were taken by higher ranks
NO_SHARE = "no_share"  # the junior school had no quota share at that school


@dataclass(frozen=True, slots=True)
class SchoolPlan:
    code: str
    seats: int  # all seats of the plan, quota seats included
    line: float  # the school's admission line
    quota_seats: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    junior: str  # the junior school's code
    score: float
    choices: tuple[str, ...]  # up to six school codes, in order
    quota_choice: str = ""
    ties: tuple[float, ...] = ()  # tie-break subject scores, in the bureau's order


class Miss(NamedTuple):
    school: str
    stage: str  # QUOTA or GENERAL
    rank: int  # 1-based choice rank (0 for the quota choice)
    reason: str  # BELOW_LINE, FULL, NO_SHARE


class Placement(NamedTuple):
    school: str  # "" when not placed
    stage: str  # QUOTA, GENERAL or ""
    choice_rank: int | None  # 0 for the quota choice


class Placements(Mapping[str, Placement]):
    """Student id → placement, made on reading (the run keeps plain lists)."""

    def __init__(self, index: dict[str, int], school: list[str], stage: list[str], rank: list[int | None]) -> None:
        self._index, self._school, self._stage, self._rank = index, school, stage, rank

    def __getitem__(self, sid: str) -> Placement:
        i = self._index[sid]
        return Placement(self._school[i], self._stage[i], self._rank[i])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def placed_count(self) -> int:
        return sum(1 for s in self._school if s)


@dataclass
class AdmissionResult:
    placements: Placements
    quota_shares: dict[str, dict[str, int]]  # school → junior school → seats
    quota_admitted: dict[str, int]
    quota_returned: dict[str, int]  # unfilled quota seats given back to general admission
    admitted: dict[str, int]  # general and quota together
    cutoff: dict[str, Any]  # the last admitted rank key at each school: score, or (score, *ties)
    overflow: dict[str, int]  # seats beyond the plan from ties at the cutoff
    floor_margin: float
    tiebreak: tuple[str, ...]
    quota_misses: dict[str, str]  # student id → why the quota choice did not place them


def quota_shares(quota_seats: int, applicants: dict[str, int]) -> dict[str, int]:
    """Largest-remainder division of ``quota_seats`` among junior schools in proportion to
    their applicants."""
    total = sum(applicants.values())
    if quota_seats <= 0 or total == 0:
        return dict.fromkeys(applicants, 0)
    shares = {j: quota_seats * n // total for j, n in applicants.items()}
    left = quota_seats - sum(shares.values())
    order = sorted(applicants, key=lambda j: (-(quota_seats * applicants[j] % total), -applicants[j], j))
    for j in order[:left]:
        shares[j] += 1
    return shares


def admit(
    schools: list[SchoolPlan],
    students: list[Student],
    *,
    floor_margin: float = 20,
    tiebreak: tuple[str, ...] = (),
) -> AdmissionResult:
    plan = {s.code: s for s in schools}
    # Rank: score, then tie-break subjects, higher first. Students equal in all of them
    # are tied: at a full school, all or none are admitted.
    keys: list = (
        [(s.score, *s.ties) for s in students] if any(s.ties for s in students) else [s.score for s in students]
    )
    order = sorted(range(len(students)), key=keys.__getitem__, reverse=True)
    school_of = [""] * len(students)
    stage_of = [""] * len(students)
    rank_of: list[int | None] = [None] * len(students)
    quota_misses: dict[str, str] = {}

    applicants: dict[str, int] = defaultdict(int)
    for s in students:
        applicants[s.junior] += 1
    shares = {s.code: quota_shares(s.quota_seats, applicants) for s in schools if s.quota_seats}

    # Quota admission, per (school, junior school) share, by rank.
    taken: dict[tuple[str, str], int] = defaultdict(int)
    last_quota: dict[tuple[str, str], Any] = {}
    quota_admitted: dict[str, int] = defaultdict(int)
    if shares:
        for i in [i for i in order if students[i].quota_choice in shares]:
            st = students[i]
            code = st.quota_choice
            pair = (code, st.junior)
            share = shares[code].get(st.junior, 0)
            if st.score < plan[code].line - floor_margin:
                quota_misses[st.id] = BELOW_LINE
            elif share == 0:
                quota_misses[st.id] = NO_SHARE
            elif taken[pair] >= share and last_quota.get(pair) != keys[i]:
                quota_misses[st.id] = FULL
            else:
                taken[pair] += 1
                last_quota[pair] = keys[i]
                quota_admitted[code] += 1
                school_of[i], stage_of[i], rank_of[i] = code, QUOTA, 0

    quota_returned = {code: max(plan[code].quota_seats - quota_admitted.get(code, 0), 0) for code in shares}
    # General seats: the plan less the quota seats, plus what quota admission gave back.
    free = {s.code: s.seats - min(quota_admitted.get(s.code, 0), s.seats) for s in schools}
    filled = dict.fromkeys(plan, 0)
    last: dict[str, Any] = {}
    lines = {s.code: s.line for s in schools}
    choices_of = [s.choices for s in students]
    scores = [s.score for s in students]
    # gate: the score a student must reach at a school; once the school is full it is the
    # last admitted's score, and only a student equal to that one in every rank key (a
    # tie) still enters. Students come in descending rank, so no one is above the gate's
    # key at a full school.
    gate = {code: (line if free[code] > 0 else math.inf) for code, line in lines.items()}
    full: dict[str, Any] = {}
    for i in order:
        if stage_of[i]:
            continue
        score = scores[i]
        rank = 0
        for code in choices_of[i]:
            rank += 1
            if score < gate[code]:
                continue
            key = keys[i]
            if code in full:
                if full[code] != key:
                    continue
            elif filled[code] + 1 >= free[code]:
                full[code] = key
                gate[code] = score
            filled[code] += 1
            last[code] = key
            school_of[i], stage_of[i], rank_of[i] = code, GENERAL, rank
            break

    admitted = {code: filled[code] + quota_admitted.get(code, 0) for code in plan}
    overflow = {code: max(admitted[code] - plan[code].seats, 0) for code in plan}
    for code in shares:
        quota_over = sum(max(taken[(code, j)] - n, 0) for j, n in shares[code].items())
        overflow[code] = max(overflow[code], quota_over)
    placements = Placements({st.id: i for i, st in enumerate(students)}, school_of, stage_of, rank_of)
    return AdmissionResult(
        placements=placements,
        quota_shares=shares,
        quota_admitted=dict(quota_admitted),
        quota_returned=quota_returned,
        admitted=admitted,
        cutoff={code: last.get(code) for code in plan},
        overflow=overflow,
        floor_margin=floor_margin,
        tiebreak=tiebreak,
        quota_misses=quota_misses,
    )


def misses(result: AdmissionResult, plans: dict[str, SchoolPlan], student: Student) -> list[Miss]:
    """The choices that did not place the student and why, in the order looked at."""
    p = result.placements[student.id]
    out = []
    if student.id in result.quota_misses:
        out.append(Miss(student.quota_choice, QUOTA, 0, result.quota_misses[student.id]))
    if p.stage == QUOTA:
        return out
    looked = student.choices if p.choice_rank is None else student.choices[: p.choice_rank - 1]
    for rank, code in enumerate(looked, start=1):
        reason = BELOW_LINE if student.score < plans[code].line else FULL
        out.append(Miss(code, GENERAL, rank, reason))
    return out


CHOICE_NUMERALS = "一二三四五六七八九十"


def _points(value: float) -> str:
    return f"{value:g}分"


def _choice(rank: int) -> str:
    return "指标到校志愿" if rank == 0 else f"第{CHOICE_NUMERALS[rank - 1]}志愿"


def explain(result: AdmissionResult, plans: dict[str, SchoolPlan], student: Student) -> list[str]:
    """The student's outcome in Chinese, one line per choice looked at, e.g.
    "第二志愿未录取：该校录取线612分，本人609分"."""
    p = result.placements[student.id]
    lines: list[str] = []
    for miss in misses(result, plans, student):
        school = plans[miss.school]
        name = school.name or school.code
        head = f"{_choice(miss.rank)}（{name}）未录取："
        if miss.stage == QUOTA and miss.reason == BELOW_LINE:
            floor = school.line - result.floor_margin
            lines.append(head + f"指标到校最低控制线{_points(floor)}，本人{_points(student.score)}")
        elif miss.reason == NO_SHARE:
            lines.append(head + "本校未分到该校指标到校名额")
        elif miss.stage == QUOTA:
            lines.append(head + "本校分到的指标到校名额已由分数更高的同学录满")
        elif miss.reason == BELOW_LINE:
            lines.append(head + f"该校录取线{_points(school.line)}，本人{_points(student.score)}")
        else:
            cut = result.cutoff.get(miss.school)
            cut = (cut,) if isinstance(cut, float | int) else cut
            cut_score = cut[0] if cut else school.line
            text = head + f"该校录取线{_points(cut_score)}，本人{_points(student.score)}"
            if cut and cut[0] == student.score:
                for subject, theirs, mine in zip(result.tiebreak, cut[1:], student.ties, strict=False):
                    if theirs != mine:
                        text += f"（同分比较{subject}：该校最低录取者{_points(theirs)}，本人{_points(mine)}）"
                        break
            lines.append(text)
    if p.school:
        name = plans[p.school].name or p.school
        if p.stage == QUOTA:
            lines.append(f"指标到校录取：{name}")
        else:
            lines.append(f"{_choice(p.choice_rank or 1)}录取：{name}")
    else:
        lines.append("未被所填志愿学校录取")
    return lines
