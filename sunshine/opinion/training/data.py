"""Loading the shared Taidi 2020 messages for training (read from --data; never copied)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

SAMPLE = "taidi2020c_messages_labeled_sample.csv"
HOTSPOT = "taidi2020c_hotspot_messages_full.csv"
REPLIES = "taidi2020c_messages_with_replies_full.csv"
FILES = (SAMPLE, HOTSPOT, REPLIES)
HAND_LABELS = Path(__file__).resolve().parent / "labels" / "hand_labels.csv"


@dataclass
class Message:
    file: str
    id: str
    title: str
    text: str
    official: str  # 一级标签 (sample file only)
    labels: dict[str, str]  # reviewed labels only: judgement -> label

    @property
    def digest(self) -> str:
        return hashlib.sha256(" ".join(self.text.split()).encode()).hexdigest()


def hand_labels() -> dict[tuple[str, str, str], str]:
    """(file, message id, judgement) -> label, from the reviewed labels file."""
    labels: dict[tuple[str, str, str], str] = {}
    if HAND_LABELS.exists():
        with HAND_LABELS.open(encoding="utf-8") as handle:
            for row in csv.DictReader(line for line in handle if not line.startswith("#")):
                labels[(row["file"], row["id"], row["judgement"])] = row["label"]
    return labels


def load(data_dir: Path) -> list[Message]:
    """Every message of the three Taidi files with its reviewed labels (hand labels; the
    sample file's official first-level label, where it is not 教育文体 ("education,
    culture and sports", which mixes the two), says education 0), de-duplicated on the
    normalised text (the first file listed keeps it)."""
    hand = hand_labels()
    seen: set[str] = set()
    messages: list[Message] = []
    for name in FILES:
        with (data_dir / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                title, text = row["留言主题"].strip(), row["留言详情"].strip()
                mid = row["留言编号"].strip()
                official = row.get("一级标签", "") or ""
                labels: dict[str, str] = {}
                if official and official != "教育文体":
                    labels["education"] = "0"  # the board's own first-level label; 教育文体 is reviewed by hand
                for judgement in ("education", "topic", "stance"):
                    if (name, mid, judgement) in hand:
                        labels[judgement] = hand[(name, mid, judgement)]
                message = Message(file=name, id=mid, title=title, text=text, official=official, labels=labels)
                if message.digest in seen:
                    continue
                seen.add(message.digest)
                messages.append(message)
    return messages
