"""Read mail that came back to the newsletters: bounces, complaints, unsubscribes.

`python manage.py receive_mail` reads one RFC 5322 message on standard
input, as a mail server's pipe transport or an aliases entry hands it over
(`newsroom-bounces: "|/srv/newsroom/.venv/bin/python /srv/newsroom/manage.py
receive_mail"`). Its exit status is what such a transport expects: 0 when
the message was taken (whatever it was, even ignored), 75 (EX_TEMPFAIL)
when the database cannot be reached, so that the mail server keeps the
message and tries again later. It never prints a traceback.

`--maildir PATH` instead reads every unread message of a Maildir (a mailbox
that the mail server delivers to, read by cron) and moves each one it has
taken to `cur/`, marked seen; a message it could not take stays for the
next run.
"""

import fcntl
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from newsroom.newsletters.inbound.actions import act
from newsroom.newsletters.inbound.reading import read_message

logger = logging.getLogger("newsroom.newsletters.inbound")

EX_TEMPFAIL = 75
#: Bytes of a message read; a report's parts that matter come first.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
#: Variables in which mail servers hand a piped command the envelope recipient
#: (Postfix's local and pipe delivery, Exim's pipe transport).
RECIPIENT_VARIABLES = (
    "ORIGINAL_RECIPIENT",
    "RECIPIENT",
    "EXTENSION",
    "LOCAL_PART_SUFFIX",
)


class TemporaryFailure(Exception):
    """The message could not be taken now; the mail server should try again."""


class Command(BaseCommand):
    help = (
        "Read one returned message on standard input (or every new message of "
        "a Maildir) and apply its bounce, complaint or unsubscribe request."
    )
    requires_system_checks = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--maildir",
            metavar="PATH",
            help="Read every unread message of this Maildir instead of standard input.",
        )
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            metavar="ADDRESS",
            help=(
                "The envelope recipient, as the mail server knows it (Postfix's "
                "${recipient}); may be repeated."
            ),
        )

    def handle(self, *args, **options):
        self.counts = Counter()
        self.verbosity = options["verbosity"]
        if options["maildir"]:
            self.read_maildir(Path(options["maildir"]))
            return
        stdin = options.get("stdin") or sys.stdin
        data = read_limited(getattr(stdin, "buffer", stdin))
        recipients = options["recipient"] + [
            os.environ[name] for name in RECIPIENT_VARIABLES if os.environ.get(name)
        ]
        try:
            self.take(data, recipients)
        except TemporaryFailure as failure:
            raise CommandError(str(failure), returncode=EX_TEMPFAIL) from None

    def take(self, data, recipients=()):
        """Read one message and apply it; raises TemporaryFailure if it must wait."""
        if not data.strip():
            self.counts["empty"] += 1
            self.say("empty: no message was given")
            return
        try:
            outcome = act(read_message(data, recipients))
        except DatabaseError as error:
            logger.error("receive_mail: the database is unavailable: %s", error)
            raise TemporaryFailure(
                f"The database is unavailable ({type(error).__name__}: "
                f"{_one_line(error)}); the message will be tried again."
            ) from None
        except Exception as error:
            logger.error("receive_mail: could not read a message: %r", error)
            raise TemporaryFailure(
                f"Could not read the message ({type(error).__name__}: "
                f"{_one_line(error)}); the message will be tried again."
            ) from None
        self.counts[outcome.kind] += 1
        logger.info("receive_mail: %s", outcome.describe())
        self.say(outcome.describe())

    def read_maildir(self, root):
        if not (root / "new").is_dir() or not (root / "cur").is_dir():
            raise CommandError(f"{root} is not a Maildir: it needs new/ and cur/.")
        lock = os.open(root, os.O_RDONLY)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.say(f"Another receive_mail is reading {root}; nothing done.")
                return
            self._read_maildir(root)
        finally:
            os.close(lock)

    def _read_maildir(self, root):
        failure = None
        for path in unread(root):
            try:
                with path.open("rb") as handle:
                    data = read_limited(handle)
            except FileNotFoundError:
                continue  # moved by a mail client meanwhile
            except OSError as error:
                self.stderr.write(f"{path.name}: cannot be read ({error}); left.")
                continue
            try:
                self.take(data)
            except TemporaryFailure as error:
                failure = error
                break
            mark_seen(root, path)
        taken = sum(self.counts.values())
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))
        self.say(
            f"{taken} message{'s' if taken != 1 else ''} taken"
            + (f": {kinds}." if kinds else ".")
        )
        if failure is not None:
            raise CommandError(
                f"{failure} The rest stays in the Maildir for the next run.",
                returncode=EX_TEMPFAIL,
            )

    def say(self, line):
        if self.verbosity >= 1:
            self.stdout.write(line)


def read_limited(stream):
    """The first MAX_MESSAGE_BYTES of `stream`, reading (and dropping) the rest."""
    data = stream.read(MAX_MESSAGE_BYTES)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    while stream.read(1024 * 1024):
        pass
    return data or b""


def unread(root):
    """Messages in new/, then those in cur/ not marked seen, oldest name first."""
    for folder in ("new", "cur"):
        for path in sorted((root / folder).iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            if folder == "cur" and "S" in _flags(path.name):
                continue
            yield path


def mark_seen(root, path):
    """Move a taken message to cur/ with the Seen flag, as a mail client would."""
    base = path.name.partition(":2,")[0]
    flags = "".join(sorted(set(_flags(path.name)) | {"S"}))
    try:
        path.rename(root / "cur" / f"{base}:2,{flags}")
    except FileNotFoundError:
        pass


def _flags(name):
    return name.partition(":2,")[2] if ":2," in name else ""


def _one_line(error):
    return " ".join(str(error).split())[:200]
