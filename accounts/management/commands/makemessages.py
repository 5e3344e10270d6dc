"""``makemessages`` that also finds ``_l(...)``, the project's alias of ``gettext_lazy``.

Modules that need both forms import ``gettext as _`` and ``gettext_lazy as _l``;
xgettext knows only Django's own names, so without this keyword those strings would
never reach the catalogue. The project's own tests and benchmarks hold no
user-visible strings and are left out.
"""

from django.core.management.commands import makemessages

EXTRA_KEYWORDS = ["--keyword=_l"]
IGNORED = ["tests/*", "bench/*", "var/*", "media/*", "staticfiles/*"]


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, *EXTRA_KEYWORDS]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORED]
        return super().handle(*args, **options)
