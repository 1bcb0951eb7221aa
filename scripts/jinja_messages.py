"""``make messages``' first step: the Jinja2 templates' msgids (``jinja2/``) into
``config/jinja_messages.py``, where Django's makemessages finds them
(``config.jinja_catalogue.write_messages``)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from config.jinja_catalogue import MESSAGES_FILE, write_messages  # noqa: E402

print(f"{MESSAGES_FILE.name}: {write_messages()} msgids from jinja2/")
