"""The demo: the seed's five figures at 10 November 2026, one lagging school alerted,
one project held at its certified progress; idempotent."""

from datetime import date

import pytest
from django.utils import timezone, translation

from sunshine.core.demo import DemoContext, demo_builders
from sunshine.funds.demo import build_funds_demo
from sunshine.funds.models import Allocation, LagAlert
from sunshine.funds.services import paid_fen, payable_fen
from sunshine.funds.statement import statement_sentence
from sunshine.orgs.demo import build_district

pytestmark = pytest.mark.django_db

SEED = (
    "截止11月10日,已下拨生均公用经费1982万元,寄宿生营养改善专项资金38.42万元,中职国家助学金60.67万元,"
    "免费作业本专项资金62.43万元,校安工程资金1300万元,全部按规定时间及时到位"
)


def test_demo_reproduces_the_seed():
    assert "funds" in dict(demo_builders())
    bureau, users = build_district()
    context = DemoContext(bureau=bureau, users=users, now=timezone.now())
    build_funds_demo(context)
    with translation.override("zh-hans"):
        assert statement_sentence(bureau, date(2026, 11, 10)) == SEED
    alert = LagAlert.objects.get()
    assert alert.allocation.fund.name == "生均公用经费" and alert.lag_pp > 10
    held = Allocation.objects.get(title="学生宿舍改造")
    assert paid_fen(held) == payable_fen(held) == 300_000_000
    build_funds_demo(context)
    assert LagAlert.objects.count() == 1
