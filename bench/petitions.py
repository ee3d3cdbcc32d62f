"""Petitions' hot paths: intake throughput (petition_file with identity encryption,
clocks, supervision, audit and cross-channel linking), the PET-10 figures query on 100k
cases, and intake with linking beside a year of a city's cases (150,000)."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def report(name: str, count: int, seconds: float, unit: str) -> None:
    print(f"{name:<52} {count:>9,} {unit} in {seconds:7.2f} s = {count / seconds:>11,.1f} {unit}/s")


def setup() -> tuple:
    from sunshine.accounts.models import User
    from sunshine.orgs.models import Organization, Role
    from sunshine.orgs.services import membership_grant

    bureau = Organization.objects.create(code="BENCH", name="基准区教育局", kind="bureau")
    disc = Organization.objects.create(code="BENCH-DISC", name="纪检组", kind="department", parent=bureau)
    schools = [
        Organization.objects.create(
            code=f"BENCH-S{i:03d}",
            name=f"基准第{i}小学",
            kind="school",
            parent=bureau,
            level="primary",
            ownership="public",
        )
        for i in range(150)
    ]
    depts = [
        Organization.objects.create(code=f"BENCH-D{i:02d}", name=f"股室{i}", kind="department", parent=bureau)
        for i in range(10)
    ]
    inspector = User.objects.create(username="bench-inspector", full_name="基准纪检")
    membership_grant(actor=None, user=inspector, organization=disc, role=Role.DISCIPLINE_INSPECTOR)
    return bureau, schools, depts


def bench_intake(bureau, schools, n: int = 500) -> None:
    from sunshine.petitions.services import IdentityInput, petition_file

    rng = random.Random(1)
    t0 = time.perf_counter()
    for i in range(n):
        identity = (
            IdentityInput(name=f"基准{i}", phone=f"1990000{i:04d}", id_number=f"99010119900101{i:04d}", address="某路")
            if i % 2
            else None
        )
        petition_file(
            bureau=bureau,
            kind=rng.choice(["report", "complaint", "suggestion", "inquiry"]),
            channel="web",
            title="基准测试信访件",
            facts="学校违规收费，请求查处。" * 5,
            request="清退",
            reasons="违反收费规定",
            subject_organization=rng.choice(schools),
            identity=identity,
            actor=None,
        )
    report("petition_file() (half named, encrypted identity)", n, time.perf_counter() - t0, "cases")


def bench_figures(bureau, schools, depts, n: int = 100_000) -> None:
    from sunshine.core.figures import Period, figures_all
    from sunshine.petitions.models import Petition

    rng = random.Random(2)
    S = Petition.Status
    start = datetime(2025, 1, 1, tzinfo=SH)
    units = schools + depts
    t0 = time.perf_counter()
    batch: list[Petition] = []
    for i in range(n):
        received = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        status = rng.choice([S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.ANSWERED, S.RATED, S.CLOSED, S.DECLINED])
        accepted_at = (
            received + timedelta(days=rng.randrange(1, 20)) if status not in (S.REGISTERED, S.DECLINED) else None
        )
        answered_at: datetime | None = None
        if accepted_at is not None and status in (S.ANSWERED, S.RATED, S.CLOSED):
            answered_at = accepted_at + timedelta(days=rng.randrange(10, 80))
        batch.append(
            Petition(
                bureau=bureau,
                number=f"B-{i:06d}",
                kind=rng.choice(Petition.Kind.values),
                channel=rng.choice(["web", "letter", "phone", "hotline"]),
                status=status,
                title="t",
                facts="f",
                subject_organization=rng.choice(units),
                received_at=received,
                notice_due_at=received + timedelta(days=15),
                notified_at=accepted_at or (received + timedelta(days=5) if status == S.DECLINED else None),
                accepted_at=accepted_at,
                handling_due_at=accepted_at + timedelta(days=60) if accepted_at else None,
                answered_at=answered_at,
                rated_at=received + timedelta(days=90) if status == S.RATED else None,
                satisfaction=rng.choice(Petition.Satisfaction.values) if status == S.RATED else "",
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Petition.objects.bulk_create(batch)
            batch = []
    report("bulk_create cases (setup)", n, time.perf_counter() - t0, "cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE petitions_petition")
    period = Period.year(2025)
    for organization in (bureau, schools[0], depts[0]):
        t0 = time.perf_counter()
        rows = figures_all(period=period, organization=organization, prefix="petitions.")
        seconds = time.perf_counter() - t0
        counted = next(r.value for r in rows if r.key == "petitions.received")
        print(
            f"figures_all(petitions.) for {organization.kind:<10} over {counted:,} cases: "
            f"{seconds * 1000:8.1f} ms ({len(rows)} figures)"
        )


ISSUES = [
    "班主任要求每名学生交纳资料费",
    "食堂伙食费结余未向家长公布",
    "课后服务费收取标准未公示",
    "教师在校外开办补习班并动员学生参加",
    "校车路线调整后学生需步行很远",
    "学校强制购买指定校服",
    "放学后强制留校自习并收取看护费",
    "招生划片不公附近学校招收片外学生",
    "校长在教师节收受家长购物卡",
    "学校操场跑道破损多年无人维修",
    "宿舍热水供应时间太短",
    "学校要求家长在指定书店购买教辅",
    "住宿费上涨未说明依据",
    "体育课经常被其他课程占用",
    "学生午休只能趴在桌上",
]
DETAILS = [
    "金额约{n}元",
    "已经持续{n}个月",
    "家长多次向班主任反映没有结果",
    "没有开具任何收据",
    "学校解释说是上级要求",
    "涉及全年级{n}名学生",
    "去年也有同样的问题",
    "家委会也不知情",
    "老师说不交会影响评优",
    "周边学校都没有这样做",
]
REQUESTS = ["请求清退并查处", "请求公示收费依据", "请求调查处理", "请求尽快整改", "请求给予答复"]


def _letter(rng: random.Random) -> tuple[str, str, str]:
    issue = rng.choice(ISSUES)
    details = "，".join(rng.sample(DETAILS, 3)).format(n=rng.randrange(2, 500))
    return issue[:12], f"{issue}，{details}。", rng.choice(REQUESTS) + "。"


def bench_links(bureau, schools, n: int = 150_000, intakes: int = 200) -> None:
    """Intake with linking (contact keys and MinHash bands) beside ``n`` cases of the
    last year, half real-name; a third of the new cases repeat an existing filer's letter
    with a few characters changed, the rest are new letters."""
    from sunshine.core import textsim
    from sunshine.core.crypto import blind_index
    from sunshine.petitions import rules
    from sunshine.petitions.models import FilerIdentity, Petition, PetitionLink, PetitionTextBand
    from sunshine.petitions.services import IdentityInput, link_text, petition_file, petition_links_find

    rng = random.Random(3)
    now = datetime.now(SH)
    t0 = time.perf_counter()
    stored: list[tuple[int, str, str]] = []  # (pk, phone, facts) of some real-name cases, to repeat
    for start in range(0, n, 5000):
        cases, identities, bands = [], [], []
        for i in range(start, min(n, start + 5000)):
            title, facts, request = _letter(rng)
            cases.append(
                Petition(
                    bureau=bureau,
                    number=f"L-{i:06d}",
                    kind="complaint",
                    channel=rng.choice(["web", "letter", "phone", "hotline", "visit"]),
                    title=title,
                    facts=facts,
                    request=request,
                    named=i % 2 == 1,
                    subject_organization=rng.choice(schools),
                    received_at=now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60)),
                )
            )
        with transaction.atomic():
            Petition.objects.bulk_create(cases)
            for case in cases:
                if case.named:
                    phone = f"139{case.pk:08d}"
                    identities.append(
                        FilerIdentity(petition=case, phone_index=blind_index(phone, purpose=rules.PHONE_INDEX_PURPOSE))
                    )
                    if len(stored) < 2000 and case.received_at > now - timedelta(days=80) and rng.random() < 0.2:
                        stored.append((case.pk, phone, case.facts))
                bands += [
                    PetitionTextBand(petition=case, band=key, bureau=bureau, received_at=case.received_at)
                    for key in set(textsim.band_keys(link_text(case)))
                ]
            FilerIdentity.objects.bulk_create(identities)
            PetitionTextBand.objects.bulk_create(bands, batch_size=5000)
    report("bulk_create cases with contact keys and bands (setup)", n, time.perf_counter() - t0, "cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Linking alone, for existing cases (the backfill's step and the intake's share).
    sample = list(Petition.objects.filter(bureau=bureau, number__startswith="L-").order_by("?")[:intakes])
    t0 = time.perf_counter()
    made = 0
    for case in sample:
        with transaction.atomic():
            made += len(petition_links_find(petition=case, actor=None, audit=False))
    seconds = time.perf_counter() - t0
    print(f"petition_links_find() beside {n:,} cases: {seconds / len(sample) * 1000:8.2f} ms a case ({made} links)")

    # Whole intakes with linking; the reference is bench_intake's petition_file above.
    t0 = time.perf_counter()
    repeats = 0
    for i in range(intakes):
        if i % 3 == 0 and stored:
            _pk, phone, facts = stored[i % len(stored)]
            facts = facts.replace("，", "。", 1) + "现在仍未解决。"
            identity = IdentityInput(name="基准", phone=f"+86 {phone}", address="某路")
            repeats += 1
        else:
            _title, facts, _request = _letter(rng)
            identity = None
        petition_file(
            bureau=bureau,
            kind="complaint",
            channel=rng.choice(["web", "letter", "hotline"]),
            title="基准重复来信",
            facts=facts,
            request="请求答复",
            reasons="见上",
            subject_organization=rng.choice(schools),
            identity=identity,
            actor=None,
        )
    seconds = time.perf_counter() - t0
    report(f"petition_file() with linking beside {n:,} cases", intakes, seconds, "cases")
    linked = PetitionLink.objects.filter(later__title="基准重复来信", same_filer=True).count()
    print(f"  of {repeats} repeats by the same phone (+86), {linked} linked as the same filer")


def main() -> None:
    import os

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    bureau, schools, depts = setup()
    bench_intake(bureau, schools)
    bench_figures(bureau, schools, depts)
    # A city's year (150,000 cases) on PostgreSQL; SQLite (a single box) gets a smaller district.
    default = "150000" if connection.vendor == "postgresql" else "20000"
    bench_links(bureau, schools, n=int(os.environ.get("SUNSHINE_BENCH_LINK_CASES", default)))


if __name__ == "__main__":
    main()
