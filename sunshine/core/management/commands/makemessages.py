"""``makemessages`` without fuzzy matching: a new msgid starts untranslated (and the
catalogue test names it) instead of inheriting a similar string's wrong translation."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
