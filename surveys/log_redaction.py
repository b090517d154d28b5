"""Keep invitation tokens out of logs: an invitation link is as good as the invitee's password."""

import logging
import re

INVITATION_PATH = re.compile(r"/i/[^/\s?#\"']+")
REDACTED = "/i/[redacted]"


def redact(text: str) -> str:
    return INVITATION_PATH.sub(REDACTED, text)


class RedactInvitationTokens(logging.Filter):
    """Rewrites a record's message and traceback text with /i/<token> replaced by /i/[redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
