"""Bad input answers 400 with a Chinese message, never 500: the search filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params",
    [
        {"q": "收费", "org": "9" * 40},
        {"q": "收费", "org": "²"},
        {"q": "收费", "page": "9" * 40},
        {"q": "收费", "page": "-3"},
    ],
)
def test_search_with_an_impossible_filter_is_a_400_in_chinese(params):
    response = Client().get(reverse("core:search"), params)
    assert response.status_code == 400
    assert "搜索条件无效" in response.content.decode()


def test_search_with_sound_filters_still_answers():
    response = Client().get(reverse("core:search"), {"q": "收费", "org": "12", "page": "2"})
    assert response.status_code == 200
