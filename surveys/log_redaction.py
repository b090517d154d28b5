"""Keep invitation and opt-out tokens out of logs: an invitation link is as good as the invitee's password,
and an opt-out link stops their mail."""

import logging
import re

TOKEN_PATH = re.compile(r"/(i|opt-out)/[^/\s?#\"']+")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(lambda match: f"/{match.group(1)}/[redacted]", text)


class RedactInvitationTokens(logging.Filter):
    """Rewrites a record's message and traceback text with /i/<token> replaced by /i/[redacted] (and /opt-out/<token>)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
