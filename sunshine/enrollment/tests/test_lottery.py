"""The lottery (ENR-1): the algorithm of docs/lottery.md, its bundle and its verifier."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from sunshine.enrollment import lottery
from sunshine.enrollment.lottery import Entry, School, Source

SEASON = "2027-primary"


def _entry(receipt: str, *choices: tuple[str, str]) -> Entry:
    return Entry(id=lottery.entry_id_from_receipt(SEASON, receipt), choices=tuple(choices))


def _bundle(entries: list[Entry], schools: list[School] | None = None) -> dict:
    schools = schools or [School(code="A", seats=2, groups=("staff",)), School(code="B", seats=3)]
    frozen = lottery.freeze(season_key=SEASON, season_name="2027年小学", schools=schools, entries=entries)
    return lottery.run(frozen, [Source(name="福彩", value="03 11 17"), Source(name="家长代表掷骰", value="4 6")])


def _many(n: int = 30) -> list[Entry]:
    return [_entry(f"R{i:04d}", ("A", "staff" if i % 10 == 0 else ""), ("B", "")) for i in range(n)]


def test_canonical_entry_bytes_are_the_specified_ones() -> None:
    entry = {"choices": [["S01", ""], ["S02", "staff"]], "id": "0123456789abcdef"}
    expected = b'{"choices":[["S01",""],["S02","staff"]],"id":"0123456789abcdef"}'
    assert lottery.canonical_json(entry) == expected
    assert lottery.entry_hash(entry) == hashlib.sha256(expected).digest()
    odd = {"choices": [['学校\n"x"', ""]], "id": "é"}
    assert lottery.entry_hash(odd) == hashlib.sha256(lottery.canonical_json(odd)).digest()


def test_merkle_tree_is_domain_separated_and_proofs_check() -> None:
    digests = [hashlib.sha256(bytes([i])).digest() for i in range(5)]
    leaves = [hashlib.sha256(b"\x00" + d).digest() for d in digests]
    node = lambda a, b: hashlib.sha256(b"\x01" + a + b).digest()  # noqa: E731
    expected = node(node(node(leaves[0], leaves[1]), node(leaves[2], leaves[3])), leaves[4])
    assert lottery.merkle_root(leaves) == expected
    levels = lottery.merkle_levels(leaves)
    for i in range(5):
        proof = lottery.merkle_proof(levels, i)
        assert lottery.merkle_proof_check(digests[i], proof, expected)
        assert not lottery.merkle_proof_check(digests[(i + 1) % 5], proof, expected)


def test_seed_is_sha256_over_root_and_sources_in_order() -> None:
    bundle = _bundle(_many(6))
    root = bytes.fromhex(bundle["root"])
    data = b"sunshine-lottery-seed-v1\x00" + root
    for value in ("03 11 17", "4 6"):
        raw = value.encode()
        data += len(raw).to_bytes(4, "big") + raw
    assert bundle["seed"] == hashlib.sha256(data).hexdigest()
    swapped = lottery.seed_compute(root, list(reversed(bundle["sources"])))
    assert swapped.hex() != bundle["seed"]


def test_numbers_fill_seats_in_ascending_order_priority_groups_first() -> None:
    bundle = _bundle(_many(30))
    rows = bundle["result"]
    by_id = {e["id"]: e for e in bundle["entries"]}
    at_a = sorted((r for r in rows if r["school"] == "A"), key=lambda r: r["order"])
    # A has two seats and three staff children: the two staff children with the lowest numbers.
    staff = sorted((r for r in rows if by_id[r["id"]]["choices"][0][1] == "staff"), key=lambda r: r["number"])
    assert [r["id"] for r in at_a] == [r["id"] for r in staff[:2]]
    # B's three seats go, in the second round, to the lowest numbers of those A left out.
    at_b = sorted((r for r in rows if r["school"] == "B"), key=lambda r: r["order"])
    left = sorted((r for r in rows if r["school"] != "A"), key=lambda r: int(r["number"], 16))
    assert [r["id"] for r in at_b] == [r["id"] for r in left[:3]]
    assert all(r["choice"] == 2 for r in at_b)
    for row in rows:
        entry = next(e for e in bundle["entries"] if e["id"] == row["id"])
        digest = lottery.entry_hash(entry)
        assert row["number"] == hashlib.sha256(bytes.fromhex(bundle["seed"]) + digest).hexdigest()


def test_a_child_admitted_at_a_higher_choice_leaves_later_draws() -> None:
    schools = [School(code="A", seats=1), School(code="B", seats=1)]
    entries = [_entry(f"R{i}", ("A", ""), ("B", "")) for i in range(2)] + [_entry("R9", ("B", ""))]
    bundle = _bundle(entries, schools)
    rows = {r["id"]: r for r in bundle["result"]}
    placed = [r for r in bundle["result"] if r["school"]]
    assert {r["school"] for r in placed} == {"A", "B"}
    # B's first-choice applicant is drawn in round 1, before the A applicants' second choice.
    assert rows[lottery.entry_id_from_receipt(SEASON, "R9")]["school"] == "B"


def test_under_subscribed_schools_admit_everyone() -> None:
    schools = [School(code="A", seats=10)]
    bundle = _bundle([_entry(f"R{i}", ("A", "")) for i in range(7)], schools)
    assert sorted(r["order"] for r in bundle["result"]) == list(range(1, 8))


def test_the_verifier_reproduces_and_names_every_change() -> None:
    bundle = json.loads(lottery.bundle_bytes(_bundle(_many(30))))
    assert lottery.verify(bundle) == []

    changed = copy.deepcopy(bundle)
    changed["entries"][4]["choices"] = [["B", ""]]
    problems = lottery.verify(changed)
    assert problems and f"result[4]（条目 {bundle['entries'][4]['id']}）.hash" in problems[0]
    assert any(p.startswith("root：") for p in problems)

    changed = copy.deepcopy(bundle)
    loser = next(i for i, r in enumerate(changed["result"]) if r["school"] is None)
    changed["result"][loser]["school"] = "A"
    assert lottery.verify(changed) == [
        f"result[{loser}]（条目 {bundle['entries'][loser]['id']}）.school：公布值 'A'，计算值 None"
    ]

    changed = copy.deepcopy(bundle)
    changed["sources"][1]["value"] = "4 5"
    problems = lottery.verify(changed)
    assert problems[0].startswith("seed：")

    changed = copy.deepcopy(bundle)
    changed["root"] = "00" * 32
    assert lottery.verify(changed)[0].startswith("root：")

    changed = copy.deepcopy(bundle)
    changed["schools"][0]["seats"] = 3
    assert any(".school" in p or ".order" in p for p in lottery.verify(changed))

    changed = copy.deepcopy(bundle)
    changed["algorithm"] = "sunshine-lottery-0"
    assert lottery.verify(changed)[0].startswith("algorithm：")


def test_the_downloadable_file_runs_alone_with_plain_python(tmp_path: Path) -> None:
    bundle = _bundle(_many(20))
    path = tmp_path / "bundle.json"
    path.write_bytes(lottery.bundle_bytes(bundle))
    script = str(lottery.VERIFIER_PATH)
    argv = [sys.executable, "-I", "-S", script, str(path), "--receipt", "R0003"]
    ok = subprocess.run(argv, capture_output=True, text=True)  # noqa: S603
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "验证通过" in ok.stdout and "包含证明" in ok.stdout and "有效" in ok.stdout
    data = json.loads(path.read_text(encoding="utf-8"))
    data["result"][0]["number"] = "f" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-I", "-S", script, str(path)], capture_output=True, text=True)  # noqa: S603
    assert bad.returncode == 1
    assert "result[0]" in bad.stdout and ".number" in bad.stdout


def test_management_command_uses_the_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bundle.json"
    path.write_bytes(lottery.bundle_bytes(_bundle(_many(10))))
    call_command("lottery_verify", str(path))
    assert "验证通过" in capsys.readouterr().out
    data = json.loads(path.read_text(encoding="utf-8"))
    data["seed"] = "0" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("lottery_verify", str(path))
    assert exit_info.value.code == 1
    assert "seed：" in capsys.readouterr().out


def test_inclusion_proof_from_the_receipt() -> None:
    bundle = _bundle(_many(13))
    eid = lottery.entry_id_from_receipt(SEASON, "r-0007")  # typed in lower case with a dash
    assert eid == lottery.entry_id_from_receipt(SEASON, "R0007")
    proof = lottery.inclusion_proof(bundle, eid)
    assert proof and proof["valid"] and proof["entry"]["id"] == eid
    assert lottery.inclusion_proof(bundle, lottery.entry_id_from_receipt(SEASON, "X")) is None
