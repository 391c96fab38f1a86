import json
import logging
from datetime import UTC, datetime


class JSONLinesFormatter(logging.Formatter):
    """One JSON object a line on stdout, for log collectors to parse without guessing."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DropHTTP2Notice(logging.Filter):
    """Daphne logs at every start that HTTP/2 is off. It serves HTTP/1.1 and WebSockets as
    meant (a proxy in front speaks HTTP/2 to browsers), so the line only looks like trouble."""

    def filter(self, record):
        return not record.getMessage().startswith("HTTP/2 support not enabled")
