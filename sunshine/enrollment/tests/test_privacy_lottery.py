"""The lottery's data published in the catalogue passes the personal-data gate, which reads
every key and value of a JSON attachment (core.documents.json_text; ENR-1, ENR-4: no
child is named). The real bundle carries only pseudonymous entry ids, school codes,
sources and hashes, so it passes byte for byte as drawn; the same bundle doctored with
an identity number or a child's name is refused with nothing published."""

from __future__ import annotations

import hashlib
import json

import pytest

from sunshine.core.documents import json_text
from sunshine.core.models import StoredFile
from sunshine.core.privacy import ID_CARD, MINOR_NAME, PersonalDataFound, id_check_char, mask_id_number
from sunshine.core.seams import DisclosureEntry, EntryFile, disclosure_entry_publish
from sunshine.core.testing import District
from sunshine.enrollment import lottery
from sunshine.enrollment.tests import factories as f

pytestmark = pytest.mark.django_db

BODY17 = "11010120150101001"
ID_NUMBER = BODY17 + id_check_char(BODY17)


@pytest.fixture
def d() -> District:
    return District()


def _catalogue() -> None:
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")


def _publish(d: District, name: str, content: bytes) -> None:
    draw = f.drawn(d)
    disclosure_entry_publish(
        DisclosureEntry(
            organization_id=draw.season.bureau_id, category="policies", title="抽签结果及数据",
            info_date=draw.draw_on, source_label=f"enrollment.test:{name}", body="<p>抽签数据</p>",
            attachments=(EntryFile(name=name, content=content),),
        ),
        actor=f.manager(d),
    )  # fmt: skip


def test_the_real_lottery_data_passes_the_gate_as_drawn(d: District) -> None:
    _catalogue()
    from sunshine.disclosure.models import Attachment

    draw = f.published_lottery(d)
    draw.refresh_from_db()
    assert draw.url, "the lottery's data was refused by the catalogue"
    bundle = draw.bundle.encode("utf-8")
    kept = StoredFile.objects.get(sha256=hashlib.sha256(bundle).hexdigest())  # the very bytes drawn
    attachment = Attachment.objects.get(stored_file=kept)
    # The gate read the data: its keys and values are the attachment's text.
    assert "sunshine-lottery-bundle" in attachment.text and "entries" in attachment.text
    assert "孩子" not in draw.bundle and not any(f.id_number(n) in draw.bundle for n in range(6))
    # The bundle re-runs to the same bytes (docs/lottery.md): nothing was rewritten.
    data = json.loads(bundle)
    again = lottery.run(json.loads(draw.frozen), [lottery.Source(**s) for s in data["sources"]])
    assert lottery.bundle_bytes(again) == bundle


def test_lottery_data_doctored_with_an_identity_number_is_refused(d: District) -> None:
    _catalogue()
    data = json.loads(f.drawn(d).bundle)
    data["entries"][0]["id"] = ID_NUMBER
    with pytest.raises(PersonalDataFound) as raised:
        _publish(d, "抽签数据.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
    assert raised.value.kinds == [ID_CARD]
    assert mask_id_number(ID_NUMBER) in raised.value.messages[0] and ID_NUMBER not in raised.value.messages[0]
    from sunshine.disclosure.models import Document

    assert not Document.objects.filter(source_label="enrollment.test:抽签数据.json").exists()


def test_lottery_data_naming_a_child_is_refused(d: District) -> None:
    _catalogue()
    data = json.loads(f.drawn(d).bundle)
    data["sources"][1]["value"] = "4 6，由学生张小明掷骰"
    with pytest.raises(PersonalDataFound) as raised:
        _publish(d, "抽签数据.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
    assert raised.value.kinds == [MINOR_NAME]


def test_json_text_reads_keys_and_values_and_leaves_out_hash_pseudonyms() -> None:
    card = "4111111111111111"  # passes Luhn: a bank card number when it is not an entry's id
    digest = hashlib.sha256(b"x").hexdigest()
    text = json_text(
        json.dumps(
            {"id": card, "entries": [{"id": "0123456789abcdef", "hash": digest}], "张小明": 13812345678, "ok": True}
        ).encode()
    )
    lines = text.split("\n")
    assert card not in lines and "0123456789abcdef" not in lines and digest not in lines
    assert "张小明" in lines and "13812345678" in lines and "entries" in lines
    assert card in json_text(json.dumps({"card": card}).encode()).split("\n")
    assert ID_NUMBER in json_text(json.dumps({"id": ID_NUMBER}).encode())  # 18 digits: not a pseudonym
    assert json_text(f"{{not json {ID_NUMBER}".encode()) == f"{{not json {ID_NUMBER}"  # read as it is


def test_the_gate_reads_a_large_json_to_its_end(d: District) -> None:
    """The search index keeps the first 200,000 characters of an attachment; the gate reads
    the whole JSON file (a city's lottery data runs far past that)."""
    _catalogue()
    data = json.loads(f.drawn(d).bundle)
    data["schools"][0]["notes"] = [f"第{n}号说明" for n in range(40_000)] + [f"身份证号{ID_NUMBER}"]
    with pytest.raises(PersonalDataFound) as raised:
        _publish(d, "抽签数据.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
    assert raised.value.kinds == [ID_CARD]
