"""The demo builder: realistic cases in many states, idempotent, receipt codes noted."""

import pytest
from django.utils import timezone

from sunshine.core.demo import DemoContext, demo_builders
from sunshine.orgs.demo import build_district
from sunshine.petitions.demo import build_petitions_demo
from sunshine.petitions.models import FilerIdentity, Petition
from sunshine.petitions.services import receipt_lookup

pytestmark = pytest.mark.django_db


def test_demo_builds_states_and_is_idempotent():
    assert "petitions" in dict(demo_builders())
    bureau, users = build_district()
    context = DemoContext(bureau=bureau, users=users, now=timezone.now())
    build_petitions_demo(context, count=40)
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert len(statuses) >= 6 and "registered" in statuses
    # The newest letters are waiting, within their time (not left over from a chance draw).
    newest = Petition.objects.order_by("-received_at")[:2]
    assert [p.status for p in newest] == ["registered", "registered"]
    assert Petition.objects.filter(named=False).exists() and Petition.objects.filter(named=True).exists()
    assert all(i.name.startswith("演示-") for i in FilerIdentity.objects.all())
    code_line = next(line for line in context.notes if line.startswith("  "))
    code = code_line.split()[0]
    assert receipt_lookup(code=code, ip="127.0.0.1") is not None
    build_petitions_demo(context, count=40)
    assert Petition.objects.count() == 40
