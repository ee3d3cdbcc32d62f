"""``demo_district``'s shortcuts hold only while it builds and change no data."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sunshine.orgs.management.commands.demo_district import _no_savepoints
from sunshine.orgs.models import Organization
from sunshine.orgs.tests.factories import BureauFactory

pytestmark = pytest.mark.django_db


def _savepoints(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]


def test_nested_blocks_take_no_savepoint_while_the_demo_builds():
    with _no_savepoints(), CaptureQueriesContext(connection) as seen, transaction.atomic(), transaction.atomic():
        BureauFactory(name="演示局甲")
    assert _savepoints(seen.captured_queries) == []
    assert Organization.objects.filter(name="演示局甲").exists()
    with CaptureQueriesContext(connection) as after, transaction.atomic(), transaction.atomic():
        BureauFactory(name="演示局乙")
    assert _savepoints(after.captured_queries)  # the services' savepoints are back


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_nested_block_stops_the_build_instead_of_rolling_back_part():
    """Without a savepoint to return to, the outer transaction cannot carry on as if
    only the inner block had failed: it stops, and none of it is kept."""
    with _no_savepoints(), pytest.raises(transaction.TransactionManagementError), transaction.atomic():
        try:
            with transaction.atomic():
                BureauFactory(name="演示局丙")
                raise DatabaseError("a clash")
        except DatabaseError:
            pass
        Organization.objects.count()
    assert not Organization.objects.filter(name="演示局丙").exists()
