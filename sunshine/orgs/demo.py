"""The fictional demo district: one bureau, its departments, schools of every level and
ownership, staff for every role, and the current terms. No real person's data."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sunshine.accounts.models import User
from sunshine.orgs.models import Organization, Role, Term
from sunshine.orgs.services import membership_grant

DEMO_PASSWORD = "Sunshine-demo-2026"  # noqa: S105 - printed for the demo on purpose
BUREAU_CODE = "DEMO"

DEPARTMENTS = [
    ("OFFICE", "办公室", "王建国"),
    ("FINANCE", "计划财务股", "李秀英"),
    ("BASIC", "基础教育股", "张伟"),
    ("PERSONNEL", "人事股", "刘芳"),
    ("ENROLL", "招生办公室", "陈静"),
    ("DISCIPLINE", "纪检组", "杨明"),
    ("INSPECT", "教育督导室", "赵磊"),
    ("SAFETY", "安全稳定股", "黄丽"),
]

# (name, level, ownership, boarding)
SCHOOLS: list[tuple[str, str, str, bool]] = [
    ("示范区实验幼儿园", "kindergarten", "public", False),
    ("示范区机关幼儿园", "kindergarten", "public", False),
    ("示范区阳光幼儿园", "kindergarten", "private", False),
    ("示范区小天使幼儿园", "kindergarten", "private", False),
    ("示范区东湖幼儿园", "kindergarten", "public", False),
    ("示范区实验小学", "primary", "public", False),
    ("示范区第一小学", "primary", "public", False),
    ("示范区第二小学", "primary", "public", False),
    ("示范区第三小学", "primary", "public", False),
    ("示范区东湖小学", "primary", "public", False),
    ("示范区西山小学", "primary", "public", True),
    ("示范区南岭小学", "primary", "public", True),
    ("示范区北坪小学", "primary", "public", False),
    ("示范区桃源小学", "primary", "public", False),
    ("示范区育英小学", "primary", "private", False),
    ("示范区博雅小学", "primary", "private", True),
    ("示范区城关中心小学", "primary", "public", False),
    ("示范区河口中心小学", "primary", "public", True),
    ("示范区第一中学", "junior", "public", False),
    ("示范区第二中学", "junior", "public", False),
    ("示范区第三中学", "junior", "public", True),
    ("示范区第四中学", "junior", "public", False),
    ("示范区实验中学", "junior", "public", False),
    ("示范区东湖中学", "junior", "public", True),
    ("示范区西山中学", "junior", "public", True),
    ("示范区启明中学", "junior", "private", True),
    ("示范区文华中学", "junior", "private", False),
    ("示范区育才学校", "nine_year", "public", True),
    ("示范区南岭学校", "nine_year", "public", True),
    ("示范区明德学校", "nine_year", "private", True),
    ("示范区高级中学", "senior", "public", True),
    ("示范区第五中学", "senior", "public", True),
    ("示范区求是高级中学", "senior", "private", True),
    ("示范区华侨中学", "senior", "public", False),
    ("示范区职业中专学校", "vocational", "public", True),
    ("示范区工贸职业技术学校", "vocational", "public", True),
    ("示范区艺术职业学校", "vocational", "private", False),
    ("示范区特殊教育学校", "nine_year", "public", True),
    ("示范区城南小学", "primary", "public", False),
    ("示范区城北中学", "junior", "public", False),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["志强", "海燕", "建华", "晓梅", "国平", "丽娟", "文军", "秀兰", "永红", "春生", "玉珍", "德明"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    org_code: str
    title: str = ""


BUREAU_STAFF = [
    DemoUser("juzhang", "周正平", Role.LEADER, BUREAU_CODE, "局长"),
    DemoUser("fujuzhang", "吴晓光", Role.LEADER, BUREAU_CODE, "副局长"),
    DemoUser("jijian", "杨明", Role.DISCIPLINE_INSPECTOR, "DEMO-DISCIPLINE", "纪检组长"),
    DemoUser("jijian2", "孙丽华", Role.DISCIPLINE_INSPECTOR, "DEMO-DISCIPLINE", "纪检干事"),
    DemoUser("jicai", "李秀英", Role.FEE_REVIEWER, "DEMO-FINANCE", "计财股长"),
    DemoUser("bangong", "王建国", Role.DEPARTMENT_STAFF, "DEMO-OFFICE", "办公室主任"),
    DemoUser("jijiao", "张伟", Role.DEPARTMENT_STAFF, "DEMO-BASIC", "基教股长"),
    DemoUser("renshi", "刘芳", Role.DEPARTMENT_STAFF, "DEMO-PERSONNEL", "人事股长"),
    DemoUser("zhaosheng", "陈静", Role.DEPARTMENT_STAFF, "DEMO-ENROLL", "招生办主任"),
    DemoUser("jiandu1", "郑国栋", Role.SUPERVISOR, BUREAU_CODE, "政风行风监督员"),
    DemoUser("jiandu2", "林美玲", Role.SUPERVISOR, BUREAU_CODE, "政风行风监督员"),
    DemoUser("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, BUREAU_CODE, "系统管理员"),
    DemoUser("secadmin", "安全管理员", Role.SECURITY_ADMIN, BUREAU_CODE, "安全保密管理员"),
    DemoUser("auditadmin", "审计管理员", Role.AUDIT_ADMIN, BUREAU_CODE, "安全审计员"),
]


def demo_totp_secret(username: str) -> str:
    """A fixed, public TOTP secret per demo user (printed by the demo command)."""
    digest = hashlib.sha256(f"sunshine-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _school_code(index: int) -> str:
    return f"DEMO-S{index:02d}"


@transaction.atomic
def build_district() -> tuple[Organization, dict[str, Any]]:
    """Create or update the demo district; returns the bureau and users by username."""
    from sunshine.accounts.services import totp_device_set

    bureau, _ = Organization.objects.update_or_create(
        code=BUREAU_CODE,
        defaults={
            "name": "示范区教育局",
            "short_name": "区教育局",
            "kind": Organization.Kind.BUREAU,
            "region_code": "990101",
            "address": "示范区教育路1号",
            "hotline": "0000-12345678",
            "head_name": "周正平",
        },
    )
    for code, name, head in DEPARTMENTS:
        Organization.objects.update_or_create(
            code=f"DEMO-{code}",
            defaults={
                "name": name,
                "kind": Organization.Kind.DEPARTMENT,
                "parent": bureau,
                "head_name": head,
                "handles_foi": code == "OFFICE",
            },
        )
    for index, (name, level, ownership, boarding) in enumerate(SCHOOLS, start=1):
        principal = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]
        Organization.objects.update_or_create(
            code=_school_code(index),
            defaults={
                "name": name,
                "kind": Organization.Kind.SCHOOL,
                "parent": bureau,
                "level": level,
                "ownership": ownership,
                "boarding": boarding,
                "address": f"示范区{name[3:5]}路{index * 7}号",
                "hotline": f"0000-8{index:03d}{index:04d}"[:14],
                "head_name": principal,
            },
        )

    people = list(BUREAU_STAFF)
    for index in range(1, len(SCHOOLS) + 1):
        principal = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]
        clerk = SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 5) % len(GIVEN)]
        people.append(DemoUser(f"school{index:02d}", principal, Role.PRINCIPAL, _school_code(index), "校长"))
        people.append(DemoUser(f"clerk{index:02d}", clerk, Role.SCHOOL_CLERK, _school_code(index), "校务公开专干"))

    organizations = {org.code: org for org in Organization.objects.filter(path__startswith=bureau.path)}
    users: dict[str, Any] = {}
    password_hash = _demo_password_hash()
    for person in people:
        user = _demo_user(person.username, person.full_name, password_hash)
        membership_grant(
            actor=None, user=user, organization=organizations[person.org_code], role=person.role, title=person.title
        )
        totp_device_set(user=user, secret_base32=demo_totp_secret(person.username), actor=None)
        users[person.username] = user
    users["citizen"] = _demo_user("citizen", "市民张先生", password_hash)

    for school_year, season, starts, ends, registration in (
        ("2025-2026", Term.Season.SPRING, date(2026, 3, 2), date(2026, 7, 10), date(2026, 2, 28)),
        ("2026-2027", Term.Season.AUTUMN, date(2026, 9, 1), date(2027, 1, 22), date(2026, 8, 30)),
        ("2026-2027", Term.Season.SPRING, date(2027, 2, 22), date(2027, 7, 9), date(2027, 2, 20)),
    ):
        Term.objects.update_or_create(
            bureau=bureau,
            school_year=school_year,
            season=season,
            defaults={"starts_on": starts, "ends_on": ends, "registration_date": registration},
        )
    return bureau, users


def _demo_password_hash() -> str:
    """One argon2 hash of the demo password, shared by every demo user (it is public anyway).

    Hashing 95 passwords one by one costs over ten seconds of argon2; re-running the
    command reuses the stored hash when it still matches.
    """
    existing = User.objects.filter(username=BUREAU_STAFF[0].username).first()
    if existing is not None and existing.check_password(DEMO_PASSWORD):
        return existing.password
    return make_password(DEMO_PASSWORD)


def _demo_user(username: str, full_name: str, password_hash: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created or user.password != password_hash or user.full_name != full_name:
        user.password = password_hash
        user.full_name = full_name
        user.save(update_fields=["password", "full_name"])
    return user
