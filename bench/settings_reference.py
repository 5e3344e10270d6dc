"""The bare reference: the same project settings, no middleware, one tiny view."""

from sscard.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference_urls"
MIDDLEWARE: list = []
