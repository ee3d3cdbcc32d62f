#!/usr/bin/env python3
"""阳光招生摇号验证程序（算法 sunshine-lottery-1）。

用法：python3 lottery_verify.py 数据包.json [--receipt 回执码]
退出码 0：按数据包重新摇号，结果与公布结果完全一致；1：不一致，并指出哪一项、哪一条；
2：文件无法读取。只需 Python 3.10 及以上版本，不需要安装任何其他程序。

Sunshine lottery verifier, algorithm sunshine-lottery-1.

Re-runs a published enrollment lottery from its bundle and compares every published
value with the one it computes. Needs only Python 3.10 or later and nothing else.

    python3 lottery_verify.py BUNDLE.json            # the whole draw
    python3 lottery_verify.py BUNDLE.json --receipt CODE   # also your own entry

Exit status 0: the bundle reproduces the published result. 1: it does not, and the
first lines printed say where (which field, which entry). 2: the file is unreadable.

The algorithm is specified byte for byte in the bureau's published document
"The enrollment lottery" (docs/lottery.md); this file is its reference implementation.
"""

from __future__ import annotations

import hashlib
import json
import sys
from json.encoder import encode_basestring as _encode_string

ALGORITHM = "sunshine-lottery-1"
BUNDLE_FORMAT = "sunshine-lottery-bundle"
SEED_DOMAIN = b"sunshine-lottery-seed-v1\x00"
ENTRY_ID_DOMAIN = b"sunshine-lottery-entry-v1\x00"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
MAX_CHOICES = 6


def canonical_json(value) -> bytes:
    """The canonical encoding: keys sorted by code point, no whitespace, non-ASCII as
    UTF-8, integers only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def entry_id_from_receipt(season: str, receipt_code: str) -> str:
    """An entry's pseudonym: the first 16 hex digits of SHA-256(domain || season || 0x00 ||
    receipt code with spaces and dashes removed, upper case)."""
    code = "".join(ch for ch in receipt_code if ch not in " -").upper()
    digest = _sha(ENTRY_ID_DOMAIN + season.encode("utf-8") + b"\x00" + code.encode("utf-8"))
    return digest.hex()[:16]


# The encoded "[code,group]" of each choice seen, kept because a draw repeats the same few
# hundred choices many thousand times (bounded, so a strange bundle cannot grow it).
_CHOICE_TEXT: dict = {}


def entry_hash(entry: dict) -> bytes:
    """SHA-256 of the entry's canonical JSON, fields choices and id only:
    {"choices":[["S01",""],["S02","staff"]],"id":"0123456789abcdef"}. Built directly
    for speed; equal byte for byte to canonical_json({"choices": ..., "id": ...})."""
    enc = _encode_string
    known = _CHOICE_TEXT
    parts = []
    for c, g in entry["choices"]:
        text = known.get((c, g))
        if text is None:
            text = "[" + enc(c) + "," + enc(g) + "]"
            if len(known) < 4096:
                known[(c, g)] = text
        parts.append(text)
    return _sha(('{"choices":[' + ",".join(parts) + '],"id":' + enc(entry["id"]) + "}").encode("utf-8"))


def leaf_hash(entry_digest: bytes) -> bytes:
    return _sha(LEAF_PREFIX + entry_digest)


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha(NODE_PREFIX + left + right)


def merkle_levels(leaves: list) -> list:
    """All levels of the tree, leaves first. An odd last node moves up unchanged."""
    levels = [list(leaves)]
    level = levels[0]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


def merkle_root(leaves: list) -> bytes:
    if not leaves:
        return _sha(b"")
    return merkle_levels(leaves)[-1][0]


def merkle_proof(levels: list, index: int) -> list:
    """The sibling path of leaf ``index``: a list of [side, hex] with side "L" when the
    sibling is on the left."""
    proof = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(["L" if sibling < index else "R", level[sibling].hex()])
        index //= 2
    return proof


def merkle_proof_check(entry_digest: bytes, proof: list, root: bytes) -> bool:
    node = leaf_hash(entry_digest)
    for side, sibling_hex in proof:
        sibling = bytes.fromhex(sibling_hex)
        node = node_hash(sibling, node) if side == "L" else node_hash(node, sibling)
    return node == root


def seed_compute(root: bytes, sources: list) -> bytes:
    """SHA-256(domain || root || for each source in announced order: 4-byte big-endian
    length of its UTF-8 value || the value)."""
    parts = [SEED_DOMAIN, root]
    for source in sources:
        value = str(source["value"]).encode("utf-8")
        parts.append(len(value).to_bytes(4, "big"))
        parts.append(value)
    return _sha(b"".join(parts))


def draw_numbers(seed: bytes, digests: list) -> list:
    """Each entry's number: SHA-256(seed || entry hash), the 32 bytes read as a
    big-endian integer. Kept as the 32 bytes: comparing them byte by byte orders them as
    the integers."""
    return [_sha(seed + d) for d in digests]


def draw(schools: list, entries: list, numbers: list) -> list:
    """Places entries at schools. Returns, per entry, [school code, choice rank 1..6,
    order at that school 1..n] or [None, None, None].

    Round k (k = 1..6) fills, at each school, the seats left after the earlier rounds
    with the entries not yet placed whose k-th choice is that school, in the order of
    (the index of the entry's priority group in the school's list of groups, with no
    group last; the number ascending; the entry id ascending)."""
    seats = {s["code"]: s["seats"] for s in schools}
    groups = {s["code"]: {g: i for i, g in enumerate(s.get("groups", []))} for s in schools}
    last = {code: len(g) for code, g in groups.items()}
    filled = dict.fromkeys(seats, 0)
    placed: list = [None] * len(entries)
    # The queues of every round, built once, each in number order (entries are in id
    # order and the sort is stable, so equal numbers keep id order). They are gathered by
    # (round, school, group), without looking the group's rank up for every choice, then
    # keyed by (round, school, rank); groups of the same rank (a group the school does not
    # list ranks with no group) are merged in number order.
    queues: dict = {}
    get = queues.get
    for i in sorted(range(len(entries)), key=numbers.__getitem__):
        k = 0
        for code, group in entries[i]["choices"]:
            key = (k, code, group)
            queue = get(key)
            if queue is None:
                queues[key] = [i]
            else:
                queue.append(i)
            k += 1  # noqa: SIM113 (a counter is faster than enumerate here)

    def rank(key: tuple) -> tuple:
        k, code, group = key
        return (k, code, groups[code].get(group, last[code]) if group else last[code])

    ranked: dict = {}
    for key, queue in queues.items():
        r = rank(key)
        if r in ranked:
            ranked[r] = sorted(ranked[r] + queue, key=lambda i: (numbers[i], i))
        else:
            ranked[r] = queue
    for key in sorted(ranked):
        k, code = key[0], key[1]
        n = filled[code]
        cap = seats[code]
        if cap - n <= 0:
            continue
        for i in ranked[key]:
            if placed[i] is None:
                n += 1
                placed[i] = [code, k + 1, n]
                if n == cap:
                    break
        filled[code] = n
    return [p or [None, None, None] for p in placed]


def _problems_of_inputs(bundle: dict) -> list:
    problems = []
    if bundle.get("format") != BUNDLE_FORMAT:
        problems.append("format：不是摇号数据包")
    if bundle.get("algorithm") != ALGORITHM:
        problems.append(f"algorithm：数据包为 {bundle.get('algorithm')!r}，本程序执行 {ALGORITHM!r}")
    codes = set()
    groups_of = {s.get("code"): set(s.get("groups", [])) | {""} for s in bundle.get("schools", [])}
    for n, school in enumerate(bundle.get("schools", [])):
        if not isinstance(school.get("seats"), int) or school["seats"] < 0:
            problems.append(f"schools[{n}].seats：学位数不是非负整数")
        if school.get("code") in codes:
            problems.append(f"schools[{n}].code：{school.get('code')!r} 重复列出")
        codes.add(school.get("code"))
    previous = None
    for n, entry in enumerate(bundle.get("entries", [])):
        eid = entry.get("id")
        if previous is not None and not (previous < eid):
            problems.append(f"entries[{n}].id：{eid!r} 顺序错误或重复")
        previous = eid
        choices = entry.get("choices", [])
        if not 1 <= len(choices) <= MAX_CHOICES:
            problems.append(f"entries[{n}]（{eid}）.choices：志愿数应为1至{MAX_CHOICES}个")
        seen = set()
        for c in choices:
            if not (isinstance(c, list) and len(c) == 2 and c[0] in groups_of and c[1] in groups_of[c[0]]):
                problems.append(f"entries[{n}]（{eid}）.choices：{c!r} 不是招生计划中的学校或优先类别")
            elif c[0] in seen:
                problems.append(f"entries[{n}]（{eid}）.choices：{c[0]} 重复填报")
            else:
                seen.add(c[0])
    return problems


def compute(bundle: dict) -> dict:
    """Everything the draw derives from the bundle's inputs."""
    entries = bundle["entries"]
    digests = [entry_hash(e) for e in entries]
    leaves = [leaf_hash(d) for d in digests]
    root = merkle_root(leaves)
    seed = seed_compute(root, bundle["sources"])
    numbers = draw_numbers(seed, digests)
    placed = draw(bundle["schools"], entries, numbers)
    return {"digests": digests, "leaves": leaves, "root": root, "seed": seed, "numbers": numbers, "placed": placed}


def result_rows(entries: list, computed: dict) -> list:
    return [
        {
            "id": e["id"],
            "hash": computed["digests"][i].hex(),
            "number": computed["numbers"][i].hex(),
            "school": computed["placed"][i][0],
            "choice": computed["placed"][i][1],
            "order": computed["placed"][i][2],
        }
        for i, e in enumerate(entries)
    ]


def verify(bundle: dict, limit: int = 20) -> list:
    """The differences between the bundle's published values and the recomputed ones
    (empty when the bundle reproduces its result)."""
    problems = _problems_of_inputs(bundle)
    if problems:
        return problems[:limit]
    computed = compute(bundle)
    entries = bundle["entries"]
    published = bundle.get("result", [])
    if len(published) != len(entries):
        problems.append(f"result：公布结果{len(published)}行，报名条目{len(entries)}条，不一致")
        return problems
    root_hex, seed_hex = computed["root"].hex(), computed["seed"].hex()
    mine_rows = result_rows(entries, computed)
    # First the entries whose content no longer matches its published hash.
    for n, (row, mine) in enumerate(zip(published, mine_rows, strict=True)):
        if row.get("hash") != mine["hash"]:
            problems.append(f"result[{n}]（条目 {mine['id']}）.hash：条目内容被改动")
    if bundle.get("entry_count") != len(entries):
        problems.append(f"entry_count：公布{bundle.get('entry_count')}条，数据包实有{len(entries)}条")
    if bundle.get("root") != root_hex:
        problems.append(f"root：公布值 {bundle.get('root')}，按报名条目计算为 {root_hex}")
    if bundle.get("seed") != seed_hex:
        problems.append(f"seed：公布值 {bundle.get('seed')}，按根哈希和种子来源计算为 {seed_hex}")
    for n, (row, mine) in enumerate(zip(published, mine_rows, strict=True)):
        for key in ("id", "number", "school", "choice", "order"):
            if row.get(key) != mine[key]:
                problems.append(
                    f"result[{n}]（条目 {mine['id']}）.{key}：公布值 {row.get(key)!r}，计算值 {mine[key]!r}"
                )
                break
        if len(problems) >= limit:
            break
    return problems[:limit]


def entry_check(bundle: dict, receipt_code: str) -> list:
    """One family's check from its receipt: the entry, its inclusion proof against the
    published root, and its published place. Returns lines to print."""
    eid = entry_id_from_receipt(bundle["season"]["key"], receipt_code)
    ids = [e["id"] for e in bundle["entries"]]
    if eid not in ids:
        return [f"条目 {eid}：不在本次摇号名单中"]
    index = ids.index(eid)
    digests = [entry_hash(e) for e in bundle["entries"]]
    levels = merkle_levels([leaf_hash(d) for d in digests])
    proof = merkle_proof(levels, index)
    ok = merkle_proof_check(digests[index], proof, bytes.fromhex(bundle["root"]))
    row = bundle["result"][index]
    names = {s["code"]: s.get("name") or s["code"] for s in bundle["schools"]}
    school = names.get(row["school"], row["school"]) if row["school"] else "未录取"
    return [
        f"条目 {eid}：志愿 {bundle['entries'][index]['choices']}",
        f"包含证明（{len(proof)}步）对根哈希 {bundle['root']}：{'有效' if ok else '无效'}",
        f"随机数 {row['number']}；录取学校 {school}；志愿 {row['choice']}；顺位 {row['order']}",
    ]


def main(argv: list) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as fh:
            bundle = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"无法读取 {argv[0]}：{exc}")
        return 2
    try:
        problems = verify(bundle)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problems = [f"数据包格式错误：{exc!r}"]
    if "--receipt" in argv and len(argv) > argv.index("--receipt") + 1:
        for line in entry_check(bundle, argv[argv.index("--receipt") + 1]):
            print(line)
    if problems:
        print("验证未通过：按数据包重新摇号，结果与公布结果不一致")
        for line in problems:
            print("  " + line)
        return 1
    count, root, seed = bundle["entry_count"], bundle["root"], bundle["seed"]
    print(f"验证通过：{count}条报名，根哈希 {root}，种子 {seed}，重新摇号结果与公布结果一致")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
