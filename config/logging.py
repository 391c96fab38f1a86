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
