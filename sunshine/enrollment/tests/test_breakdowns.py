"""Enrollment on the dashboard: the applications of the period by where they stand."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sunshine.core.figures import Period, breakdown_value, figure_value
from sunshine.core.testing import District
from sunshine.enrollment.models import Application
from sunshine.enrollment.tests.factories import apply, submitted


@pytest.mark.django_db
def test_applications_by_status_add_up_to_the_figure():
    d = District()
    submitted(d)
    apply(d, 7, ["M1"])
    period = Period.year(timezone.localdate().year)
    split = breakdown_value("enrollment.applications_by_status", period=period, organization=d.bureau)
    counted = {r.key: r.values[0].value for r in split.rows}
    assert list(counted) == list(Application.Status.values)  # every status, none left out
    assert counted[Application.Status.SUBMITTED] == 2 and sum(counted.values()) == 2
    assert figure_value("enrollment.applications", period=period, organization=d.bureau).value == 2
