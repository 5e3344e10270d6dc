from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = _("Replacement cards")

    def ready(self):
        from accounts import extensions
        from cards import notes  # noqa: F401  (defines the kind's timeline notes)
        from cards.selectors import card_replacement_for

        extensions.provide_card_replacement(card_replacement_for)
