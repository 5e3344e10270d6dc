"""Reading configuration from the environment, failing with one clear line."""

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
SUPPORTED_BROKER_SCHEMES = {"redis", "rediss", "memory"}


class SettingsError(ImproperlyConfigured):
    """A configuration mistake an operator can fix; shown as a single line."""


env = environ.Env()


def _read(name, cast, default):
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise SettingsError(f"{name}: cannot read {env.str(name, default='')!r} ({exc})") from None


def boolean(name, default):
    raw = env.str(name, default="")
    if raw.strip().lower() not in {"", "1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise SettingsError(f"{name}: expected true or false, got {raw!r}")
    return _read(name, env.bool, default)


def integer(name, default):
    return _read(name, env.int, default)


def string(name, default=environ.Env.NOTSET):
    return _read(name, env.str, default)


def string_list(name, default):
    return _read(name, env.list, default)


def database(name, default):
    url = string(name, default)
    scheme = urlsplit(url).scheme
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise SettingsError(
            f"{name}: unsupported scheme {scheme!r}; use postgres://user@host:port/name "
            "or sqlite:///path/to/file.sqlite3"
        )
    try:
        return env.db_url_config(url)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise SettingsError(f"{name}: cannot parse {url!r} ({exc})") from None


def broker(name):
    url = string(name, "")
    if url and urlsplit(url).scheme not in SUPPORTED_BROKER_SCHEMES:
        raise SettingsError(f"{name}: unsupported broker {url!r}; use redis://host:port/db")
    return url


def email(name, default):
    url = string(name, default)
    try:
        return env.email_url_config(url)
    except Exception as exc:
        raise SettingsError(f"{name}: cannot parse {url!r} ({exc})") from None


def cache(name, default):
    url = string(name, default)
    try:
        return env.cache_url_config(url)
    except Exception as exc:
        raise SettingsError(f"{name}: cannot parse {url!r} ({exc})") from None
