"""Factories of the fees tests."""

from __future__ import annotations

from datetime import date

import factory

from sunshine.orgs.models import Term
from sunshine.orgs.tests.factories import BureauFactory


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("bureau", "school_year", "season")

    bureau = factory.SubFactory(BureauFactory)
    school_year = "2026-2027"
    season = Term.Season.AUTUMN
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 1, 20)
    registration_date = date(2026, 8, 31)
