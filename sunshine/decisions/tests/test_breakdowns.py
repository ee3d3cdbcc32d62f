"""OVS-3 on the dashboard: the matters decided collectively in the period by kind,
adopted and not adopted; a matter not yet decided is not counted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sunshine.core.figures import Period, breakdown_value, figure_value
from sunshine.core.testing import District
from sunshine.decisions.models import Category
from sunshine.decisions.tests.access import decided, item


@pytest.mark.django_db
def test_matters_decided_by_kind_add_up_to_the_figure():
    d = District()
    decided(d)
    item(d)  # on no agenda yet
    period = Period.year(timezone.localdate().year)
    split = breakdown_value("decisions.items_by_category", period=period, organization=d.bureau)
    counted = {r.key: (r.values[0].value, r.values[1].value) for r in split.rows}
    assert list(counted) == list(Category.values)
    assert counted[Category.MAJOR_PROJECT] == (1, 0)
    assert counted[Category.MAJOR_DECISION] == (0, 0)
    total = figure_value("decisions.items_decided", period=period, organization=d.bureau).value
    assert sum(a + r for a, r in counted.values()) == total == 1
