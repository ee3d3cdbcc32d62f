"""Enrollment's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The season belongs to the matrix's bureau: its department staff (the enrollment office)
and leaders manage it and read applications; no school and no other role sees an
application. The public pages are open to every visitor."""

from __future__ import annotations

from typing import Any

from sunshine.core.testing import POST, VISITORS, District, Rule
from sunshine.enrollment.models import Application, Objection, RecruitmentList, Season
from sunshine.enrollment.tests import factories as f
from sunshine.orgs.models import Role

MANAGERS = frozenset({Role.DEPARTMENT_STAFF, Role.LEADER})
EVERY = frozenset(VISITORS)


def _apply_data(d: District) -> dict[str, Any]:
    f.opened(d)
    return {
        "child_name": "王小明",
        "child_id_number": "110101201501011234",
        "guardian_name": "王先生",
        "guardian_phone": "13800000000",
        "residence": "户籍在本区",
        "choice1": "M1",
        "choice2": "M2",
    }


ACCESS = [
    Rule("enrollment:index", EVERY, setup=f.published_lottery),
    Rule("enrollment:season", EVERY, kwargs=lambda d: {"pk": f.opened(d).pk}),
    Rule("enrollment:apply", EVERY, kwargs=lambda d: {"pk": f.opened(d).pk}),
    Rule(
        "enrollment:apply",
        EVERY,
        method=POST,
        kwargs=lambda d: {"pk": f.opened(d).pk},
        data=_apply_data,
        ok_status=302,
        done=lambda d: Application.objects.filter(season=f.opened(d)).count() == 1,
        label="apply",
    ),
    Rule("enrollment:apply-done", EVERY, ok_status=302),
    Rule("enrollment:status", EVERY),
    Rule("enrollment:status", EVERY, method=POST, data={"code": "1234"}, ok_status=404, label="wrong code"),
    Rule("enrollment:lottery", EVERY, kwargs=lambda d: {"pk": f.published_lottery(d).pk}),
    Rule(
        "enrollment:lottery",
        EVERY,
        method=POST,
        kwargs=lambda d: {"pk": f.published_lottery(d).pk},
        data={"code": "0000"},
        ok_status=404,
        label="wrong code",
    ),
    Rule("enrollment:lottery-bundle", EVERY, kwargs=lambda d: {"pk": f.published_lottery(d).pk}),
    Rule("enrollment:verifier", EVERY),
    Rule("enrollment:workbench", MANAGERS, setup=f.submitted),
    Rule("enrollment:season-staff", MANAGERS, kwargs=lambda d: {"pk": f.opened(d).pk}),
    Rule(
        "enrollment:season-staff",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": f.opened(d).pk},
        data={"action": "close"},
        ok_status=302,
        state=lambda d: Season.objects.get(pk=f.opened(d).pk).status,
        done=lambda d: Season.objects.get(pk=f.opened(d).pk).status == Season.Status.CLOSED,
        label="close",
    ),
    Rule("enrollment:application-staff", MANAGERS, kwargs=lambda d: {"pk": f.submitted(d).pk}),
    Rule(
        "enrollment:application-staff",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": f.submitted(d).pk},
        data={"decision": "accept", "reason": ""},
        ok_status=302,
        state=lambda d: Application.objects.get(pk=f.submitted(d).pk).status,
        done=lambda d: Application.objects.get(pk=f.submitted(d).pk).status == Application.Status.ACCEPTED,
        label="accept",
    ),
    Rule("enrollment:recruitment", EVERY, kwargs=lambda d: {"pk": f.proposed(d).recruitment_id}),
    Rule(
        "enrollment:recruitment",
        EVERY,
        method=POST,
        kwargs=lambda d: {"pk": f.proposed(d).recruitment_id},
        data={"text": "请说明拟聘用人员的资格情况。"},
        ok_status=302,
        done=lambda d: Objection.objects.filter(list=f.proposed(d)).count() == 1,
        label="objection",
    ),
    Rule("enrollment:recruitment-staff", MANAGERS, kwargs=lambda d: {"pk": f.proposed(d).recruitment_id}),
    Rule(
        "enrollment:recruitment-staff",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": f.proposed(d).recruitment_id},
        data={"action": "publish", "stage": "proposed", "rows_text": f.ROWS_V2, "note": ""},
        ok_status=302,
        state=lambda d: RecruitmentList.objects.count(),
        done=lambda d: RecruitmentList.objects.filter(version=2).exists(),
        label="revise",
    ),
    Rule("enrollment:admission", EVERY, kwargs=lambda d: {"pk": f.senior_run(d).season_id}),
    Rule(
        "enrollment:admission",
        EVERY,
        method=POST,
        kwargs=lambda d: {"pk": f.senior_run(d).season_id},
        data={"student_id": "K05", "score": "620"},
        label="look-up",
    ),
    Rule("enrollment-api:openapi-json", EVERY),
    Rule("enrollment-api:openapi-view", EVERY),
    Rule("enrollment-api:api-root", frozenset(), denied_status=(404,)),
    Rule("enrollment-api:seasons", EVERY, setup=f.opened),
    Rule("enrollment-api:lotteries", EVERY, setup=f.published_lottery),
]
