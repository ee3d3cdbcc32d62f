"""Enrollment at district scale (ENR-1, ENR-2). Nothing here touches the database.

Lottery: 100,000 applicants with one to six choices across 50 schools, priority groups
at some. Timed: the freeze (entry hashes, Merkle tree) and the draw (re-hashing against
the root, seed, numbers, placement, result rows), the target under 1 s for hashing, tree
and placement in one pass; then the standalone verifier on the published bundle file
(read, re-run, compare), target under 5 s, run as a child process with plain Python
(``-I -S``: the standard library only). The reference beside it: a bare SHA-256 over
the same count of 64-byte strings.

Admission: 100,000 students × 6 choices × 300 schools with quota seats and ties,
target under 0.5 s (placements and reasons; the Chinese explanations are written on
demand and not timed). On 5,000 students with distinct scores and no quota, the same
admission beside the `matching` library's student-optimal stable matching when it is
installed, else beside a plain Gale–Shapley (students propose, schools hold the best
by score above their line): identical placements, and the speed ratio printed.

Run: ``.venv/bin/python -m bench.enrollment``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sunshine.enrollment import lottery
from sunshine.enrollment.admission import SchoolPlan, Student, admit

APPLICANTS = 100_000
LOTTERY_SCHOOLS = 50
STUDENTS = 100_000
ADMISSION_SCHOOLS = 300
REFERENCE_STUDENTS = 5_000
GROUPS = ("staff", "sibling")


def _lottery_inputs(rng: random.Random) -> tuple[list[lottery.School], list[lottery.Entry]]:
    schools = [
        lottery.School(
            code=f"S{i:02d}", seats=rng.randint(200, 1200), groups=("staff", "sibling") if i % 5 == 0 else ()
        )
        for i in range(LOTTERY_SCHOOLS)
    ]
    entries = []
    for n in range(APPLICANTS):
        picks = rng.sample(range(LOTTERY_SCHOOLS), rng.randint(1, 6))
        choices = tuple(
            (f"S{c:02d}", rng.choice(("staff", "sibling")) if c % 5 == 0 and rng.random() < 0.03 else "") for c in picks
        )
        entries.append(lottery.Entry(id=lottery.entry_id_from_receipt("bench", f"R{n:09d}"), choices=choices))
    return schools, entries


def bench_lottery() -> None:
    rng = random.Random(20270601)
    schools, entries = _lottery_inputs(rng)
    sources = [lottery.Source("福利彩票开奖号码", "03 11 17 24 28 31 + 09"), lottery.Source("家长代表掷骰", "4 6 1 3")]
    t0 = time.perf_counter()
    frozen = lottery.freeze(season_key="bench", season_name="基准", schools=schools, entries=entries)
    t1 = time.perf_counter()
    bundle = lottery.run(frozen, sources)
    t2 = time.perf_counter()
    algo = lottery.algorithm
    digests = [algo.entry_hash(e) for e in bundle["entries"]]
    root = algo.merkle_root([algo.leaf_hash(d) for d in digests])
    numbers = algo.draw_numbers(algo.seed_compute(root, bundle["sources"]), digests)
    placed = algo.draw(bundle["schools"], bundle["entries"], numbers)
    t3 = time.perf_counter()
    blob = os.urandom(64)
    for _ in range(APPLICANTS):
        hashlib.sha256(blob).digest()
    t4 = time.perf_counter()
    admitted = sum(1 for p in placed if p[0])
    print(f"lottery: {APPLICANTS:,} applicants, {LOTTERY_SCHOOLS} schools, {admitted:,} placed")
    print(
        f"  freeze (entry hashes + Merkle root): {t1 - t0:.3f} s; draw (re-hash check, seed, numbers, places, rows): "
        f"{t2 - t1:.3f} s"
    )
    print(
        f"  one pass (hashes, tree, seed, numbers, placement): {t3 - t2:.3f} s  (target under 1 s: "
        f"{'met' if t3 - t2 < 1 else 'NOT met'})"
    )
    print(f"  reference: bare SHA-256 of {APPLICANTS:,} 64-byte strings: {t4 - t3:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        path.write_bytes(lottery.bundle_bytes(bundle))
        t5 = time.perf_counter()
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-I", "-S", str(lottery.VERIFIER_PATH), str(path)], capture_output=True, text=True
        )
        t6 = time.perf_counter()
        size = path.stat().st_size
        data = json.loads(path.read_text(encoding="utf-8"))
        data["result"][APPLICANTS // 2]["school"] = "S00"
        path.write_text(json.dumps(data), encoding="utf-8")
        bad = subprocess.run(  # noqa: S603
            [sys.executable, "-I", "-S", str(lottery.VERIFIER_PATH), str(path)], capture_output=True, text=True
        )
    print(
        f"  standalone verifier on the {size / 1e6:.1f} MB bundle (plain python -I -S, start-up and JSON read "
        f"included): {t6 - t5:.3f} s, exit {done.returncode}  (target under 5 s: "
        f"{'met' if t6 - t5 < 5 and done.returncode == 0 else 'NOT met'})"
    )
    print(f"  one result row changed: exit {bad.returncode}, says: {bad.stdout.splitlines()[1].strip()}")


def _students(rng: random.Random, n: int, schools: int, *, ties: bool, quota: bool) -> list[Student]:
    juniors = [f"J{j:03d}" for j in range(120)]
    students = []
    for i in range(n):
        if ties:
            score = float(min(max(round(rng.gauss(560, 70)), 200), 750))
        else:
            score = round(rng.gauss(560, 70), 2) + i * 1e-6  # all different
        popularity = sorted(rng.sample(range(schools), 12))[:6]  # lower codes are the sought-after schools
        rng.shuffle(popularity)
        students.append(
            Student(
                id=f"K{i:06d}",
                junior=rng.choice(juniors),
                score=score,
                choices=tuple(f"H{c:03d}" for c in popularity),
                quota_choice=f"H{rng.randrange(20):03d}" if quota and rng.random() < 0.3 else "",
                ties=(float(rng.randint(100, 120)),) if ties else (),
            )
        )
    return students


def _plans(rng: random.Random, n: int, students: int, *, quota: bool) -> list[SchoolPlan]:
    seats_each = max(students * 9 // (10 * n), 1)
    plans = []
    for c in range(n):
        line = float(650 - c * 300 // n)
        seats = rng.randint(seats_each // 2, seats_each * 3 // 2)
        plans.append(
            SchoolPlan(code=f"H{c:03d}", seats=seats, line=line, quota_seats=seats // 5 if quota and c < 20 else 0)
        )
    return plans


def gale_shapley(plans: list[SchoolPlan], students: list[Student]) -> dict[str, str]:
    """Student-proposing deferred acceptance; schools rank by score and accept only at or
    above their line."""
    seats = {p.code: p.seats for p in plans}
    lines = {p.code: p.line for p in plans}
    by_id = {s.id: s for s in students}
    held: dict[str, list[tuple[float, str]]] = {p.code: [] for p in plans}
    next_choice = dict.fromkeys(by_id, 0)
    free = [s.id for s in students]
    import heapq

    while free:
        sid = free.pop()
        st = by_id[sid]
        while next_choice[sid] < len(st.choices):
            code = st.choices[next_choice[sid]]
            next_choice[sid] += 1
            if st.score < lines[code] or seats[code] == 0:
                continue
            heap = held[code]
            if len(heap) < seats[code]:
                heapq.heappush(heap, (st.score, sid))
                break
            if heap[0][0] < st.score:
                _, out = heapq.heapreplace(heap, (st.score, sid))
                free.append(out)
                break
    return {sid: code for code, heap in held.items() for _, sid in heap}


def bench_admission() -> None:
    rng = random.Random(20270701)
    plans = _plans(rng, ADMISSION_SCHOOLS, STUDENTS, quota=True)
    students = _students(rng, STUDENTS, ADMISSION_SCHOOLS, ties=True, quota=True)
    t0 = time.perf_counter()
    result = admit(plans, students, floor_margin=20, tiebreak=("语文", "数学"))
    t1 = time.perf_counter()
    placed = result.placements.placed_count()
    quota = sum(result.quota_admitted.values())
    print(
        f"admission: {STUDENTS:,} students × 6 choices × {ADMISSION_SCHOOLS} schools, quota seats at 20 schools, "
        f"integer scores (ties)"
    )
    print(
        f"  {placed:,} placed ({quota:,} on quota), {sum(result.quota_returned.values()):,} quota seats returned, "
        f"{sum(result.overflow.values()):,} seats of tie overflow at "
        f"{sum(1 for v in result.overflow.values() if v)} schools"
    )
    print(f"  admit(): {t1 - t0:.3f} s  (target under 0.5 s: {'met' if t1 - t0 < 0.5 else 'NOT met'})")

    plans = _plans(rng, ADMISSION_SCHOOLS, REFERENCE_STUDENTS, quota=False)
    students = _students(rng, REFERENCE_STUDENTS, ADMISSION_SCHOOLS, ties=False, quota=False)
    t2 = time.perf_counter()
    mine = admit(plans, students)
    t3 = time.perf_counter()
    try:
        import matching  # noqa: F401

        reference_name = "the matching library"
        reference = _matching_reference(plans, students)
    except ImportError:
        reference_name = "plain Gale–Shapley (the matching library is not installed)"
        reference = gale_shapley(plans, students)
    t4 = time.perf_counter()
    ours = {sid: p.school for sid, p in mine.placements.items() if p.school}
    same = ours == reference
    print(
        f"  {REFERENCE_STUDENTS:,} students, distinct scores, no quota: admit() {t3 - t2:.4f} s; "
        f"{reference_name} {t4 - t3:.4f} s; ratio {(t4 - t3) / max(t3 - t2, 1e-9):.1f}×; "
        f"placements {'identical' if same else 'DIFFERENT'} ({len(ours):,} placed)"
    )


def _matching_reference(plans: list[SchoolPlan], students: list[Student]) -> dict[str, str]:
    import warnings

    from matching.games import HospitalResident

    warnings.filterwarnings("ignore", module="matching")  # schools nobody qualifies for
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))  # the library deep-copies its players

    resident_prefs = {
        s.id: [c for c in s.choices if s.score >= next(p.line for p in plans if p.code == c)] for s in students
    }
    resident_prefs = {k: v for k, v in resident_prefs.items() if v}
    order = [s.id for s in sorted(students, key=lambda s: -s.score)]
    hospital_prefs = {p.code: [sid for sid in order if p.code in resident_prefs.get(sid, ())] for p in plans}
    capacities = {p.code: p.seats for p in plans}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    matched = game.solve(optimal="resident")
    return {r.name: h.name for h, rs in matched.items() for r in rs}


def main() -> None:
    t = time.perf_counter()
    x = 0
    for i in range(10_000_000):
        x += i
    print(f"machine reference: a bare Python loop of 10 million additions takes {time.perf_counter() - t:.2f} s here")
    bench_lottery()
    bench_admission()


if __name__ == "__main__":
    main()
