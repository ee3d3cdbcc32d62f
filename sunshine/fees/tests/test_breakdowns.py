"""FEE-1 on the dashboard: the illegal fees confirmed in the period, by school."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sunshine.core.figures import Period, breakdown_value, figure_value
from sunshine.core.testing import District
from sunshine.fees.models import Finding
from sunshine.fees.tests.access import confirmed_ledger


@pytest.mark.django_db
def test_findings_confirmed_by_school_add_up_to_the_figure():
    d = District()
    confirmed_ledger(d)
    period = Period.year(timezone.localdate().year)
    split = breakdown_value("fees.findings_by_school", period=period, organization=d.bureau)
    confirmed = Finding.objects.filter(status=Finding.Status.CONFIRMED, school=d.school).count()
    assert confirmed >= 1
    assert [(r.key, r.label, r.values[0].value) for r in split.rows] == [(str(d.school.pk), d.school.name, confirmed)]
    assert split.rows[0].organization == d.school.pk
    total = figure_value("fees.findings_confirmed", period=period, organization=d.bureau).value
    assert sum(r.values[0].value or 0 for r in split.rows) == total
    assert breakdown_value("fees.findings_by_school", period=period, organization=d.other_school).rows == ()
