"""Cross-channel links: the same filer writing by web, hotline and letter is linked by
keyed contact keys (phone without +86, ID number, e-mail — real-name cases only),
cases alike in content by near-duplicate text (MinHash bands, then the exact Jaccard
index); an anonymous filer stays anonymous; staff see only the linked cases they may
see themselves (PET-9), confirm or dismiss a link (audited); the LOCAL look-back
PET-2-repeat-lookback-days bounds the links."""

from __future__ import annotations

import itertools
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core import textsim
from sunshine.core.crypto import blind_index
from sunshine.core.local_rules import local_rule_set
from sunshine.core.models import AuditEntry
from sunshine.core.seams import PetitionIntake
from sunshine.core.testing import login_verified
from sunshine.orgs.models import Role
from sunshine.petitions import rules
from sunshine.petitions import services as svc
from sunshine.petitions.demo import SUBJECTS
from sunshine.petitions.models import FilerIdentity, Petition, PetitionLink, PetitionTextBand
from sunshine.petitions.selectors import petition_links, petitions_linked
from sunshine.petitions.tests.factories import World, confirm_accused, file_case, make_world, member

pytestmark = pytest.mark.django_db

LETTER = "学校食堂每月多收伙食费五十元，家长多次向班主任反映没有结果，学校也未公示伙食费收支情况。"
LETTER_AGAIN = "学校食堂每个月多收伙食费五十元，家长多次向班主任反映都没有结果，学校也没有公示伙食费收支情况。"
REQUEST = "请求清退多收的伙食费并公开食堂账目。"
OTHER_MATTER = "学校操场塑胶跑道破损严重，下雨后积水，学生多次摔倒受伤，已经一年多无人维修。"


@pytest.fixture
def w() -> World:
    return make_world()


def client_of(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def named(phone: str = "", email: str = "", id_number: str = "", name: str = "测试乙") -> svc.IdentityInput:
    return svc.IdentityInput(name=name, phone=phone, email=email, id_number=id_number, address="示范路1号")


def links_of(petition: Petition, viewer: Any) -> dict[int, Any]:
    return {item.other.pk: item for item in petition_links(petition, viewer)}


# --- the pure parts ---------------------------------------------------------------------------------


def test_contact_keys_are_normalised_before_the_keyed_hash() -> None:
    assert rules.phone_normalise("+86 139-0000-1111") == "13900001111"
    assert rules.phone_normalise("0086 13900001111") == "13900001111"
    assert rules.phone_normalise("8613900001111") == "13900001111"
    assert rules.phone_normalise("0591-87654321") == "059187654321"  # a landline keeps its digits
    assert rules.email_normalise("  Zhang.San@Example.COM ") == "zhang.san@example.com"
    assert rules.id_normalise("35030219800101777x") == "35030219800101777X"
    one = svc.identity_indexes(name="甲", phone="+86 139 0000 1111", id_number="", email="A@B.CN")
    two = svc.identity_indexes(name="乙", phone="13900001111", id_number="", email="a@b.cn")
    assert one["phone_index"] == two["phone_index"] == blind_index("13900001111", purpose=rules.PHONE_INDEX_PURPOSE)
    assert one["email_index"] == two["email_index"] != ""
    assert set(svc.identity_indexes(name="甲", phone="139", id_number="1", email="a@b", named=False).values()) == {""}


def test_near_duplicate_text_shares_a_band_and_unrelated_demo_texts_do_not() -> None:
    """The paraphrased letter is alike (Jaccard ≥ LINK_LIKENESS) and shares a band key;
    no two of the demo's twelve subjects come near the threshold (false positives)."""
    assert textsim.jaccard(LETTER + REQUEST, LETTER_AGAIN + REQUEST) >= rules.LINK_LIKENESS
    assert set(textsim.band_keys(LETTER + REQUEST)) & set(textsim.band_keys(LETTER_AGAIN + REQUEST))
    texts = ["\n".join((title, facts, request)) for _kind, title, facts, request in SUBJECTS]
    worst = max(textsim.jaccard(a, b) for a, b in itertools.combinations(texts, 2))
    assert worst < rules.LINK_LIKENESS / 2
    assert textsim.band_keys("") == [] and textsim.jaccard("", "x") == 0.0
    assert textsim.band_keys(LETTER) == textsim.band_keys(LETTER)  # deterministic


# --- the same filer across channels ------------------------------------------------------------------


def test_web_hotline_and_letter_by_the_same_phone_or_email_are_linked_with_the_reason(w: World) -> None:
    """Web form (the public), a hotline call and a letter registered by staff, and a
    complaint handed over by another module: one filer, written four ways."""
    web = Client().post(
        reverse("petitions:file"),
        {
            "kind": "complaint",
            "subject_organization": w.school.pk,
            "title": "食堂伙食费问题",
            "facts": LETTER,
            "request": REQUEST,
            "reasons": "违反收费规定。",
            "filer": "named",
            "name": "测试乙",
            "phone": "+86 139-0000-2222",
            "email": "Parent@Example.com",
            "privacy": "on",
        },
    )
    assert web.status_code == 302
    web_case = Petition.objects.get(channel="web")
    received = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff = client_of(w.inspector)
    for channel, contact in (("hotline", {"phone": "13900002222"}), ("letter", {"email": "parent@example.com"})):
        response = staff.post(
            reverse("petitions:intake"),
            {
                "channel": channel,
                "received_at": received,
                "kind": "complaint",
                "subject_organization": w.school.pk,
                "title": "反映操场问题",
                "facts": OTHER_MATTER,
                "request": "请求尽快维修。",
                "reasons": "危及学生安全。",
                "filer": "named",
                "name": "测试乙",
                **contact,
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
    hotline = Petition.objects.get(channel="hotline")
    letter = Petition.objects.get(channel="letter")
    handed = svc.petition_intake_receive(
        PetitionIntake(
            kind="complaint",
            channel="opinion",
            title="网络留言：跑道",
            facts="孩子反映学校跑道一直没有修。",
            request="请求维修。",
            subject_organization_id=w.school.pk,
            named=True,
            name="测试乙",
            phone="0086 139 0000 2222",
            source_label="opinion.event:1",
        ),
        actor=None,
    )
    seam_case = Petition.objects.get(pk=handed.case_id)

    seen = links_of(web_case, w.inspector)
    assert set(seen) == {hotline.pk, letter.pk, seam_case.pk}
    assert all(item.same_filer for item in seen.values())
    from_hotline = links_of(hotline, w.inspector)  # both ways
    assert set(from_hotline) == {web_case.pk, letter.pk, seam_case.pk}
    # The hotline call (phone) and the letter (e-mail) share no contact key: alike in
    # content only — "same filer" is never inferred through a third case.
    assert from_hotline[letter.pk].alike and not from_hotline[letter.pk].same_filer
    assert from_hotline[seam_case.pk].same_filer
    assert PetitionLink.objects.count() == 5  # one row per pair; the letter and the seam's case are unrelated
    # Same filer, different matter: linked as the same filer, not as a repeat.
    assert not seen[hotline.pk].repeat and seen[hotline.pk].likeness_percent is None
    html = staff.get(reverse("petitions:case", args=[web_case.pk])).content.decode()
    assert "同一来信人" in html and hotline.number in html and letter.number in html and seam_case.number in html
    assert "测试乙" not in html and "13900002222" not in html and "parent@example.com" not in html.lower()
    entry = AuditEntry.objects.filter(action="petitions.links_find", target_id=str(letter.pk)).get()
    assert "13900002222" not in str(entry.data) and "测试乙" not in str(entry.data)


def test_the_same_filer_on_the_same_matter_is_a_repeat(w: World) -> None:
    first = file_case(w, identity=named(phone="13900003333"), facts=LETTER, request=REQUEST).petition
    again = file_case(w, identity=named(phone="139 0000 3333"), channel="letter", facts=LETTER_AGAIN, request=REQUEST)
    item = links_of(again.petition, w.inspector)[first.pk]
    assert item.same_filer and item.alike and item.repeat
    assert set(petitions_linked(Petition.objects.all(), w.inspector, repeat=True)) == {first, again.petition}


def test_names_alone_never_link(w: World) -> None:
    """Names are not unique: two filers called the same with different phones are not linked."""
    file_case(w, identity=named(phone="13900004444", name="王芳"), facts=OTHER_MATTER)
    other = file_case(w, identity=named(phone="13900005555", name="王芳"), facts="班主任要求家长购买指定教辅资料。")
    assert petition_links(other.petition, w.inspector) == []


# --- anonymity ------------------------------------------------------------------------------------------


def test_anonymous_and_named_alike_are_only_alike_in_content(w: World) -> None:
    """An anonymous web letter and a named letter with almost the same text: linked as
    alike in content only; the anonymous case has no contact key; neither page says
    "same filer"; nothing of the named filer shows on the anonymous case's page."""
    named_letter = file_case(
        w, channel="letter", identity=named(phone="13900006666", email="x@y.cn"), facts=LETTER, request=REQUEST
    ).petition
    # The anonymous filer typed a phone into the seam; PET-8 says anonymous (no name).
    handed = svc.petition_intake_receive(
        PetitionIntake(
            kind="complaint",
            channel="web",
            title="食堂收费问题",
            facts=LETTER_AGAIN,
            request=REQUEST,
            subject_organization_id=w.school.pk,
            phone="13900006666",
        ),
        actor=None,
    )
    anonymous = Petition.objects.get(pk=handed.case_id)
    assert anonymous.named is False
    keys = FilerIdentity.objects.filter(petition=anonymous).values("phone_index", "id_index", "email_index")
    assert all(not value for row in keys for value in row.values())  # no contact key stored
    web = file_case(w, facts=LETTER, request=REQUEST).petition  # the web form's anonymous letter: no identity
    assert not FilerIdentity.objects.filter(petition=web).exists()

    item = links_of(anonymous, w.inspector)[named_letter.pk]
    assert item.alike and not item.same_filer and not item.repeat
    assert not PetitionLink.objects.filter(same_filer=True).exists()
    page = client_of(w.inspector).get(reverse("petitions:case", args=[anonymous.pk])).content.decode()
    assert named_letter.number in page and "内容相近" in page
    assert "同一来信人" not in page and "重复信访" not in page
    assert "测试乙" not in page and "13900006666" not in page and "x@y.cn" not in page
    rows = page.split('id="linked-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert "实名" not in rows  # not even that the other case is real-name
    other_page = client_of(w.inspector).get(reverse("petitions:case", args=[named_letter.pk])).content.decode()
    assert anonymous.number in other_page and "同一来信人" not in other_page


# --- who sees a link ---------------------------------------------------------------------------------


def test_a_clerk_sees_no_link_to_a_case_they_may_not_see(w: World) -> None:
    """PET-9: school A's clerk handles case A; the same filer's case assigned to school B,
    and another one accusing school A's principal, are never shown to them — not even
    as a link; the principal never sees the case that accuses them."""
    a = file_case(w, identity=named(phone="13900007777")).petition
    b = file_case(w, identity=named(phone="13900007777"), subject_organization=w.school2, facts=OTHER_MATTER).petition
    accusing = file_case(
        w, identity=named(phone="13900007777"), kind="report", accused_user=w.principal, facts="校长收受家长购物卡。"
    ).petition
    for case, unit in ((a, w.school), (b, w.school2)):
        svc.petition_accept(petition=case, actor=w.inspector)
        confirm_accused(case, w.inspector)
        svc.petition_assign(petition=case, organization=unit, actor=w.inspector)
    assert set(links_of(a, w.inspector)) == {b.pk, accusing.pk}  # triage sees all three
    assert links_of(a, w.clerk) == {} and links_of(a, w.principal) == {}
    page = client_of(w.clerk).get(reverse("petitions:case", args=[a.pk])).content.decode()
    assert b.number not in page and accusing.number not in page and 'id="linked-heading"' not in page
    other_clerk = member(w.school2, Role.SCHOOL_CLERK)
    assert set(links_of(b, other_clerk)) == set()
    assert client_of(other_clerk).get(reverse("petitions:case", args=[a.pk])).status_code == 404
    # No decision through a case one may see about a link to one one may not.
    link = PetitionLink.objects.get(earlier=a, later=b)
    response = client_of(other_clerk).post(
        reverse("petitions:case-link", args=[b.pk, link.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 404
    response = client_of(w.clerk).post(reverse("petitions:case-link", args=[a.pk, link.pk]), {"decision": "confirm"})
    assert response.status_code == 404
    # The queue's filter counts only links to cases the viewer may see.
    assert list(petitions_linked(Petition.objects.filter(pk=a.pk), w.clerk)) == []
    assert list(petitions_linked(Petition.objects.filter(pk=a.pk), w.inspector)) == [a]


# --- staff decide; the look-back; the backfill -------------------------------------------------------


def test_triage_confirms_or_dismisses_a_link_and_each_decision_is_audited(w: World) -> None:
    first = file_case(w, facts=LETTER, request=REQUEST).petition
    second = file_case(w, channel="letter", facts=LETTER_AGAIN, request=REQUEST).petition
    link = PetitionLink.objects.get()
    client = client_of(w.inspector)
    url = reverse("petitions:case-link", args=[second.pk, link.pk])
    assert client.post(url, {"decision": "sideways"}).status_code == 302  # refused with a message
    link.refresh_from_db()
    assert link.state == PetitionLink.State.SUGGESTED
    client.post(url, {"decision": "confirm"})
    link.refresh_from_db()
    assert link.state == PetitionLink.State.CONFIRMED and link.decided_by == w.inspector
    assert links_of(first, w.inspector)[second.pk].repeat
    response = client.get(reverse("petitions:workbench"), {"queue": "all", "linked": "repeat"})
    assert {p.pk for p, _clock in response.context["rows"]} == {first.pk, second.pk}
    assert "已确认为同一事项" in client.get(reverse("petitions:case", args=[first.pk])).content.decode()
    client.post(reverse("petitions:case-link", args=[first.pk, link.pk]), {"decision": "dismiss"})
    link.refresh_from_db()
    assert link.state == PetitionLink.State.DISMISSED
    response = client.get(reverse("petitions:workbench"), {"queue": "all", "linked": "linked"})
    assert response.context["rows"] == []
    decisions = AuditEntry.objects.filter(action="petitions.link_decide").order_by("pk")
    assert [e.data["new"] for e in decisions] == ["confirmed", "dismissed"]
    # A handling unit's member may not decide (403); the link stays as it is.
    assert client_of(w.clerk).post(url, {"decision": "confirm"}).status_code in (403, 404)


def test_links_stay_within_the_local_look_back(w: World) -> None:
    """LOCAL PET-2-repeat-lookback-days (90 by default): an older case is not linked."""
    now = timezone.now()
    old = file_case(w, identity=named(phone="13900008888"), received_at=now - timedelta(days=100)).petition
    recent = file_case(w, identity=named(phone="13900008888"), received_at=now - timedelta(days=30)).petition
    new = file_case(w, identity=named(phone="13900008888")).petition
    assert set(links_of(new, w.inspector)) == {recent.pk}
    assert set(links_of(recent, w.inspector)) == {new.pk, old.pk}  # 70 days before the recent one
    local_rule_set(actor=None, key="PET-2-repeat-lookback-days", value=200)
    svc.petition_links_find(petition=new, actor=None)
    assert set(links_of(new, w.inspector)) == {recent.pk, old.pk}


def test_the_backfill_rebuilds_links_and_keeps_decisions(w: World) -> None:
    first = file_case(w, identity=named(phone="13900009999"), facts=LETTER, request=REQUEST).petition
    second = file_case(w, identity=named(phone="+8613900009999"), facts=LETTER_AGAIN, request=REQUEST).petition
    link = PetitionLink.objects.get()
    svc.petition_link_decide(link=link, actor=w.inspector, confirm=False)
    PetitionTextBand.objects.all().delete()
    FilerIdentity.objects.update(phone_index="")
    third = file_case(w, identity=named(phone="13900009999"), facts=OTHER_MATTER).petition
    assert links_of(third, w.inspector) == {}  # the old cases lost their keys
    out = StringIO()
    call_command("petition_links_rebuild", stdout=out)
    assert "3" in out.getvalue()
    assert set(links_of(third, w.inspector)) == {first.pk, second.pk}
    link.refresh_from_db()
    assert link.state == PetitionLink.State.DISMISSED and link.same_filer and link.likeness
    assert PetitionTextBand.objects.filter(petition=first).count() == textsim.BANDS
    call_command("petition_links_rebuild", "--since", "2000-01-01", stdout=StringIO())
    assert PetitionLink.objects.count() == 3  # idempotent
    assert AuditEntry.objects.filter(action="petitions.links_rebuild").count() == 2
