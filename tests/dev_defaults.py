"""pytest plugin (loaded with -p before Django's settings are read): development settings on a bare
machine, as manage.py and the Makefile give them. Production mode is the default only for servers."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
