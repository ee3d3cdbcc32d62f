"""Loading the shared Taidi 2020 messages for training (read from --data; never copied)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sunshine.opinion.training import rules

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
    education: int
    topic: str
    stance: str
    hand: set[str]  # judgements with a hand label

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
    """Every message of the three Taidi files, labelled (hand label, else proposal),
    de-duplicated on the normalised text (the first file listed keeps it)."""
    hand = hand_labels()
    seen: set[str] = set()
    messages: list[Message] = []
    for name in FILES:
        with (data_dir / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                title, text = row["留言主题"].strip(), row["留言详情"].strip()
                mid = row["留言编号"].strip()
                official = row.get("一级标签", "") or ""
                education = rules.propose_education(title, text)
                if official:
                    education = int(official == "教育文体" and education == 1)
                labels = {
                    "education": str(education),
                    "topic": rules.propose_topic(title, text),
                    "stance": rules.propose_stance(title, text),
                }
                done: set[str] = set()
                for judgement in labels:
                    key = (name, mid, judgement)
                    if key in hand:
                        labels[judgement] = hand[key]
                        done.add(judgement)
                message = Message(
                    file=name,
                    id=mid,
                    title=title,
                    text=text,
                    official=official,
                    education=int(labels["education"]),
                    topic=labels["topic"],
                    stance=labels["stance"],
                    hand=done,
                )
                if message.digest in seen:
                    continue
                seen.add(message.digest)
                messages.append(message)
    return messages
